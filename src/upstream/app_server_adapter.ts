/**
 * Upstream adapter for `codex app-server` (the only Codex protocol from 0.154
 * on; present since 0.80): one long-lived child speaking line-delimited
 * JSON-RPC, started lazily and restarted after it exits. Threads persist in
 * CODEX_HOME.
 *
 * Every turn runs under its own permission profile (see `permission_config.ts`):
 * a first turn through `thread/start`, every later one through `thread/resume`
 * of an unloaded thread, so the profile is rebuilt each time. When a turn ends,
 * however it ends, its background terminals are closed
 * (`thread/backgroundTerminals/clean`, experimental API) and the thread is
 * unloaded (`thread/unsubscribe`) before the result is reported: nothing it
 * started keeps running. Should that clean-up fail, the child is stopped, and
 * bubblewrap's `--die-with-parent` ends every sandboxed process with it.
 *
 * @module
 */
import { SERVER_INFO } from "../version.ts";
import { UpstreamError } from "../errors.ts";
import { JsonLinesPeer, RpcError } from "./json_lines_rpc.ts";
import { INSTALL_HINT } from "./codex_version.ts";
import { LazyChild } from "./lazy_child.ts";
import { spawnChild } from "./spawn_child.ts";
import { StderrTail } from "./stderr_tail.ts";
import { declineApproval } from "./approval_answers.ts";
import { compareVersions } from "./codex_version.ts";
import {
  assertProfileActive,
  CONFIG_READ_METHOD,
  mcpServerNames,
  newProfileId,
  threadConfig,
} from "./permission_config.ts";
import type {
  AdapterOptions,
  CodexUpstream,
  ContinueThreadRequest,
  ModelChoice,
  StartThreadRequest,
  TurnResult,
  TurnSettings,
  UpstreamInfo,
} from "./types.ts";

/** Methods this adapter calls (shown by `bridge_status`). */
const METHODS = [
  "initialize",
  "thread/start",
  "thread/resume",
  "turn/start",
  "turn/interrupt",
  "model/list",
  "thread/backgroundTerminals/clean",
  "thread/unsubscribe",
  CONFIG_READ_METHOD,
];

/**
 * Oldest app-server measured to apply a new permission profile on every resume and to clean background
 * terminals. 0.115–0.128 enforce a profile on thread/start, but 0.128 kept a thread's first profile on resume
 * (a secret added since stayed readable); ≤ 0.111 ignore profiles silently.
 */
export const FIRST_CONFINED_APP_SERVER = "0.137.0";
/** What Codex sends when it starts an MCP server for a thread. */
const MCP_STARTUP_NOTIFICATION = "mcpServer/startupStatus/updated";

/** Why a thread for which Codex started an MCP server gets no (further) turn. */
function mcpStartedError(): UpstreamError {
  return new UpstreamError(
    "Codex started one of its own MCP servers for this turn (they run outside the sandbox), so the turn was " +
      "stopped; this happens when a server is added to Codex's config while the bridge starts a turn: try again",
  );
}

/** Longest the clean-up after a turn may take before the child is stopped instead. */
const CLEANUP_TIMEOUT_MS = 5000;

/** How long a model list is reused. */
const MODEL_LIST_TTL_MS = 60_000;

/** How much of a streamed reasoning summary is kept (its end: the latest thought). */
const SUMMARY_KEEP_CHARS = 2000;

/** How long a turn may take to confirm an interrupt before we give up on it. */
const INTERRUPT_GRACE_MS = 5000;
/** How long a request that could not be written waits to learn whether the child died (and why). */
const EXIT_WAIT_MS = 2000;

interface ActiveTurn {
  threadId: string;
  turnId?: string;
  settings: TurnSettings;
  /** Agent messages of this turn, in order (older versions list no items at the end). */
  messages: string[];
  /** Commands started and not yet finished: itemId → command. */
  openCommands: Map<string, string>;
  lastError?: string;
  /** The reasoning summary being streamed: which item and part, and its text so far. */
  summary?: { key: string; text: string };
  resolve(result: TurnResult): void;
  reject(error: Error): void;
}

interface Session {
  child: Deno.ChildProcess;
  peer: JsonLinesPeer;
  /** Threads started or resumed in this process. */
  loaded: Set<string>;
  turns: Map<string, ActiveTurn>;
  /** Threads for which Codex reported starting an MCP server: none should (see permission_config.ts). */
  mcpStarted: Set<string>;
  stderr: StderrTail;
  /** Set once the child is gone, with the reason. */
  dead?: UpstreamError;
}

type Params = Record<string, unknown> & {
  threadId?: string;
  conversationId?: string;
  item?: Record<string, unknown>;
  turn?: { id?: string; status?: string; error?: { message?: string } | null };
};

/** See the module doc. */
export class AppServerAdapter implements CodexUpstream {
  readonly protocol = "app-server" as const;
  #options: AdapterOptions;
  #child: LazyChild<Session>;
  #models?: { at: number; choices: ModelChoice[] };

  constructor(options: AdapterOptions) {
    this.#options = options;
    this.#child = new LazyChild(() => this.#spawn());
  }

  info(): Promise<UpstreamInfo> {
    const { version } = this.#options;
    const confines = version !== undefined && compareVersions(version, FIRST_CONFINED_APP_SERVER) >= 0;
    return Promise.resolve({
      protocol: this.protocol,
      binary: this.#options.codexPath,
      version,
      available: true,
      tools: METHODS,
      confinement: confines ? { supported: true } : {
        supported: false,
        problem: `Codex ${version ?? "(version unknown)"} cannot confine a turn to the root: permission profiles ` +
          `need Codex ${FIRST_CONFINED_APP_SERVER} or newer (\`npm i -g @openai/codex\`)`,
      },
    });
  }

  /** `model/list`, every page, visible models only; kept for a minute (the catalogue rarely changes). */
  async listModels(): Promise<ModelChoice[]> {
    if (this.#models && this.#models.at > Date.now() - MODEL_LIST_TTL_MS) return this.#models.choices;
    const session = await this.#child.get();
    const choices: ModelChoice[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result = await this.#call(session, "model/list", cursor ? { cursor } : {}) as {
        data?: Record<string, unknown>[];
        nextCursor?: string | null;
      };
      for (const entry of result?.data ?? []) {
        if (entry.hidden === true || typeof entry.model !== "string") continue;
        const efforts = Array.isArray(entry.supportedReasoningEfforts) ? entry.supportedReasoningEfforts : [];
        choices.push({
          model: entry.model,
          efforts: efforts.map((e: { reasoningEffort?: unknown }) => String(e?.reasoningEffort)),
          isDefault: entry.isDefault === true,
          ...(typeof entry.defaultReasoningEffort === "string" ? { defaultEffort: entry.defaultReasoningEffort } : {}),
        });
      }
      cursor = result?.nextCursor ?? null;
      if (!cursor) break;
    }
    this.#models = { at: Date.now(), choices };
    return choices;
  }

  async startThread(request: StartThreadRequest): Promise<TurnResult> {
    const session = await this.#child.get();
    const result = await this.#openThread(session, "thread/start", request);
    const threadId = (result as { thread?: { id?: string } })?.thread?.id;
    if (!threadId) throw new UpstreamError("Codex app-server answered thread/start without a thread id");
    request.onEvent({ kind: "thread_started", threadId });
    return await this.#runTurn(session, threadId, request.prompt, request);
  }

  async continueThread(request: ContinueThreadRequest): Promise<TurnResult> {
    const session = await this.#child.get();
    // A loaded thread would keep its old profile on resume: unload it so this turn's profile applies.
    if (session.loaded.has(request.threadId)) await this.#unload(session, request.threadId);
    await this.#openThread(session, "thread/resume", request, request.threadId);
    return await this.#runTurn(session, request.threadId, request.prompt, request);
  }

  async close(): Promise<void> {
    const session = await this.#child.take();
    if (!session || session.dead) return;
    this.#fail(session, new UpstreamError("Codex was stopped because the bridge is shutting down"));
    await stopChild(session.child);
  }

  /**
   * Starts or resumes a thread with this turn's settings: the permission
   * profile instead of `sandbox` when confined (the two together switch the
   * profile off), checked in the answer before any prompt is sent, and every
   * MCP server Codex's config names disabled (they would run unsandboxed).
   */
  async #openThread(
    session: Session,
    method: "thread/start" | "thread/resume",
    request: TurnSettings,
    threadId?: string,
  ): Promise<unknown> {
    const profileId = newProfileId();
    // Read afresh for each turn: the user may have added a server since. No cwd: project layers never load.
    const mcpServers = mcpServerNames(await this.#call(session, CONFIG_READ_METHOD, {}));
    const result = await this.#call(session, method, {
      ...(threadId ? { threadId } : {}),
      cwd: request.cwd,
      approvalPolicy: request.approvalPolicy,
      ...(request.confinement ? {} : { sandbox: request.sandbox }),
      config: threadConfig(request.confinement, profileId, mcpServers),
    });
    const id = threadId ?? (result as { thread?: { id?: string } })?.thread?.id;
    if (id) session.loaded.add(id);
    try {
      if (request.confinement) assertProfileActive(result, profileId, method);
      if (id && session.mcpStarted.has(id)) throw mcpStartedError();
    } catch (error) {
      if (id) await this.#unload(session, id);
      throw error;
    }
    return result;
  }

  /** Unloads a thread; a thread already gone is fine. */
  async #unload(session: Session, threadId: string): Promise<void> {
    session.loaded.delete(threadId);
    await this.#call(session, "thread/unsubscribe", { threadId }).catch((error) =>
      this.#options.log.debug("thread/unsubscribe failed", { threadId, error: String(error) })
    );
  }

  /**
   * Ends what a finished turn left running and unloads its thread. Bounded:
   * when Codex cannot do it in time, the child is stopped instead, which ends
   * every sandboxed process (other turns on it fail with the reason).
   */
  async #cleanUp(session: Session, threadId: string): Promise<void> {
    if (session.dead) return;
    const clean = async () => {
      await this.#call(session, "thread/backgroundTerminals/clean", { threadId });
      await this.#unload(session, threadId);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) =>
      timer = setTimeout(() => reject(new Error(`no answer in ${CLEANUP_TIMEOUT_MS} ms`)), CLEANUP_TIMEOUT_MS)
    );
    try {
      await Promise.race([clean(), timeout]);
    } catch (error) {
      this.#options.log.warn("could not end a finished turn's processes; stopping Codex", {
        threadId,
        error: String(error),
      });
      this.#fail(
        session,
        new UpstreamError("Codex was restarted: it could not end the processes of another turn, so it was stopped"),
      );
      await stopChild(session.child);
    } finally {
      clearTimeout(timer);
    }
  }

  async #spawn(): Promise<Session> {
    const { codexPath, env, log } = this.#options;
    let child: Deno.ChildProcess;
    try {
      child = spawnChild(codexPath, ["app-server"], env);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "not found" : (error as Error).message;
      throw new UpstreamError(`Cannot start "${codexPath} app-server": ${reason}; ${INSTALL_HINT}`);
    }
    log.info("codex app-server started", { pid: child.pid, binary: codexPath });
    const session = {
      child,
      loaded: new Set<string>(),
      turns: new Map<string, ActiveTurn>(),
      mcpStarted: new Set<string>(),
      stderr: new StderrTail({ onLine: (line) => log.debug("codex stderr", { line }) }),
    } as Partial<Session> as Session;
    session.peer = new JsonLinesPeer(child.stdin, child.stdout, {
      onNotification: (method, params) => this.#onNotification(session, method, (params ?? {}) as Params),
      onRequest: (method, params) => this.#onServerRequest(session, method, (params ?? {}) as Params),
      onProtocolError: (reason) => {
        log.warn("codex app-server protocol error", { reason });
        this.#fail(session, new UpstreamError(`Codex app-server broke the protocol (${reason}); it was restarted`));
        stopChild(child);
      },
      onStrayResponse: (id) => log.warn("codex app-server answered an unknown request id", { id }),
    });
    this.#collectStderr(session);
    child.status.then((status) => {
      const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
      const last = session.stderr.last;
      this.#fail(session, new UpstreamError(`Codex app-server exited (${how})${last ? `: ${last}` : ""}`));
      log.info("codex app-server exited", { pid: child.pid, code: status.code, signal: status.signal });
    });
    try {
      await this.#call(session, "initialize", {
        clientInfo: { ...SERVER_INFO, title: SERVER_INFO.name },
        // For thread/backgroundTerminals/clean, the only way to end a turn's background commands.
        capabilities: { experimentalApi: true },
      });
      await session.peer.notify("initialized");
    } catch (error) {
      // A child that dies at start often breaks the pipe before its exit is seen: report the exit (code, last
      // stderr line), not "Broken pipe". One still running after a refused handshake is stopped, not leaked.
      if (await exitsWithin(child, EXIT_WAIT_MS)) throw session.dead ?? error;
      await stopChild(child);
      throw error;
    }
    return session;
  }

  async #collectStderr(session: Session): Promise<void> {
    try {
      for await (const chunk of session.child.stderr.pipeThrough(new TextDecoderStream())) session.stderr.push(chunk);
    } catch {
      // Stream closed with the child.
    }
  }

  /** Marks the session dead and fails its turns; the next call starts a new child. */
  #fail(session: Session, error: UpstreamError): void {
    if (session.dead) return;
    session.dead = error;
    this.#child.forget(session);
    session.peer.close(error);
    for (const turn of session.turns.values()) turn.reject(error);
    session.turns.clear();
  }

  async #call(session: Session, method: string, params: unknown): Promise<unknown> {
    try {
      return await session.peer.request(method, params);
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      if (error instanceof RpcError) throw new UpstreamError(`Codex app-server refused ${method}: ${error.message}`);
      // The request could not be written (a broken pipe): the child is most likely dying, and its exit says why.
      if (await exitsWithin(session.child, EXIT_WAIT_MS) && session.dead) throw session.dead;
      throw new UpstreamError(`Could not send ${method} to Codex app-server: ${String(error)}`);
    }
  }

  #runTurn(session: Session, threadId: string, prompt: string, settings: TurnSettings): Promise<TurnResult> {
    if (session.dead) return Promise.reject(session.dead);
    // turn/start on a running thread would steer that turn: never do it.
    if (session.turns.has(threadId)) {
      return Promise.reject(new UpstreamError(`Thread "${threadId}" is busy with another turn`));
    }
    const { promise, resolve, reject } = Promise.withResolvers<TurnResult>();
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const turn: ActiveTurn = {
      threadId,
      settings,
      messages: [],
      openCommands: new Map(),
      resolve,
      reject,
    };
    const onAbort = () => {
      if (turn.turnId) this.#interrupt(session, turn);
      // If Codex never confirms, stop waiting; the job has already failed.
      graceTimer = setTimeout(() => this.#finish(session, turn, abortError(settings.signal)), INTERRUPT_GRACE_MS);
    };
    // Registered before turn/start: notifications may arrive before its response.
    session.turns.set(threadId, turn);
    settings.signal.addEventListener("abort", onAbort, { once: true });
    this.#call(session, "turn/start", {
      threadId,
      input: [{ type: "text", text: prompt }],
      ...(settings.model ? { model: settings.model } : {}),
      ...(settings.reasoningEffort ? { effort: settings.reasoningEffort } : {}),
    }).then(
      (result) => {
        turn.turnId ??= (result as { turn?: { id?: string } })?.turn?.id;
        if (settings.signal.aborted) this.#interrupt(session, turn);
      },
      (error) => this.#finish(session, turn, error),
    );
    if (settings.signal.aborted) onAbort();
    return promise.finally(() => {
      clearTimeout(graceTimer);
      settings.signal.removeEventListener("abort", onAbort);
    });
  }

  #interrupt(session: Session, turn: ActiveTurn): void {
    session.peer.request("turn/interrupt", { threadId: turn.threadId, turnId: turn.turnId }).catch((error) =>
      this.#options.log.warn("turn/interrupt failed", { error })
    );
  }

  /**
   * Settles a turn once, after its clean-up: resolves with a result or
   * rejects with an error.
   */
  async #finish(session: Session, turn: ActiveTurn, outcome: TurnResult | Error): Promise<void> {
    if (session.turns.get(turn.threadId) !== turn) return;
    session.turns.delete(turn.threadId);
    await this.#cleanUp(session, turn.threadId);
    // A command cut off by an interrupt never gets its item/completed: close it here.
    for (const command of turn.openCommands.values()) turn.settings.onEvent({ kind: "command_finished", command });
    turn.openCommands.clear();
    if (outcome instanceof Error) turn.reject(outcome);
    else turn.resolve(outcome);
  }

  #onNotification(session: Session, method: string, params: Params): void {
    const threadId = params.threadId ?? params.conversationId;
    const turn = threadId ? session.turns.get(threadId) : undefined;
    if (method === MCP_STARTUP_NOTIFICATION && threadId) {
      // A server the config/read answer did not name (added in between): no prompt goes to such a thread.
      this.#options.log.warn("Codex started an MCP server for a bridge turn", { threadId, name: params.name });
      session.mcpStarted.add(threadId);
      if (turn?.turnId) this.#interrupt(session, turn);
      if (turn) this.#finish(session, turn, mcpStartedError());
      return;
    }
    if (!turn) return;
    const emit = turn.settings.onEvent;
    const item = params.item ?? {};
    switch (method) {
      case "turn/started":
        turn.turnId ??= params.turn?.id;
        if (turn.settings.signal.aborted) this.#interrupt(session, turn);
        return;
      case "item/started":
        if (item.type === "commandExecution") {
          turn.openCommands.set(String(item.id), String(item.command ?? ""));
          emit({ kind: "command_started", command: String(item.command ?? "") });
        } else if (item.type === "fileChange") {
          const changes = Array.isArray(item.changes) ? item.changes : [];
          emit({ kind: "file_change", paths: changes.map((change: { path?: string }) => String(change?.path)) });
        } else if (item.type === "reasoning") {
          emit({ kind: "reasoning" });
        }
        return;
      case "item/completed":
        if (item.type === "agentMessage" && typeof item.text === "string") {
          turn.messages.push(item.text);
          emit({ kind: "agent_message", text: item.text });
        } else if (item.type === "commandExecution" && turn.openCommands.delete(String(item.id))) {
          const exitCode = typeof item.exitCode === "number" ? item.exitCode : undefined;
          emit({ kind: "command_finished", command: String(item.command ?? ""), exitCode });
        }
        return;
      case "error": {
        const error = params.error as { message?: string } | undefined;
        turn.lastError = error?.message ?? JSON.stringify(params).slice(0, 300);
        emit({ kind: "other", type: "error" });
        return;
      }
      case "item/reasoning/summaryTextDelta": {
        // Deltas of one summary part add up; a new item or part starts a new summary.
        const key = `${params.itemId}:${params.summaryIndex}`;
        if (turn.summary?.key !== key) turn.summary = { key, text: "" };
        turn.summary.text = (turn.summary.text + String(params.delta ?? "")).slice(-SUMMARY_KEEP_CHARS);
        emit({ kind: "reasoning_summary", text: turn.summary.text });
        return;
      }
      case "turn/plan/updated": {
        const plan = Array.isArray(params.plan) ? params.plan as { step?: unknown; status?: unknown }[] : [];
        const explanation = typeof params.explanation === "string" ? params.explanation : undefined;
        const steps = plan.map((entry) => ({ step: String(entry?.step ?? ""), status: String(entry?.status ?? "") }));
        emit({ kind: "plan", steps, ...(explanation ? { explanation } : {}) });
        return;
      }
      case "thread/tokenUsage/updated": {
        const total = (params.tokenUsage as { total?: Record<string, unknown> } | undefined)?.total;
        if (!total) return;
        const count = (name: string) => typeof total[name] === "number" ? total[name] as number : 0;
        emit({
          kind: "token_usage",
          usage: {
            inputTokens: count("inputTokens"),
            cachedInputTokens: count("cachedInputTokens"),
            outputTokens: count("outputTokens"),
            reasoningOutputTokens: count("reasoningOutputTokens"),
            totalTokens: count("totalTokens"),
          },
        });
        return;
      }
      case "turn/completed":
        return this.#onTurnCompleted(session, turn, params);
      default:
        if (!method.endsWith("/delta") && !method.endsWith("Delta")) emit({ kind: "other", type: method });
    }
  }

  #onTurnCompleted(session: Session, turn: ActiveTurn, params: Params): void {
    const status = params.turn?.status;
    if (status === "completed") {
      this.#finish(session, turn, { threadId: turn.threadId, text: turn.messages.at(-1) ?? "" });
    } else if (status === "interrupted") {
      this.#finish(session, turn, abortError(turn.settings.signal));
    } else {
      const reason = params.turn?.error?.message ?? turn.lastError ?? `turn ended with status "${status}"`;
      this.#finish(session, turn, new UpstreamError(`Codex failed: ${reason}`));
    }
  }

  #onServerRequest(session: Session, method: string, params: Params): unknown {
    const answer = declineApproval(method);
    if (answer === undefined) {
      // Anything else we cannot answer meaningfully (user input, auth refresh, an approval kind we do not
      // know …): refuse it.
      throw new RpcError(-32601, `codex-gpt-bridge does not handle ${method}`);
    }
    const threadId = params.threadId ?? params.conversationId;
    const turn = threadId ? session.turns.get(threadId) : undefined;
    const what = typeof params.command === "string"
      ? params.command
      : Array.isArray(params.command)
      ? params.command.join(" ")
      : method;
    turn?.settings.onEvent({ kind: "approval_declined", request: what });
    this.#options.log.info("declined a Codex approval request", { method, threadId });
    return answer;
  }
}

function abortError(signal: AbortSignal): UpstreamError {
  const reason = signal.reason;
  if (reason instanceof UpstreamError) return reason;
  return new UpstreamError(reason instanceof Error ? reason.message : "Codex turn was interrupted");
}

/** Whether `child` exits within `ms`. */
async function exitsWithin(child: Deno.ChildProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  const exited = await Promise.race([child.status.then(() => true), timeout]);
  clearTimeout(timer);
  return exited;
}

/** SIGTERM, then SIGKILL after a short grace; resolves when the child is gone. */
export async function stopChild(child: Deno.ChildProcess, graceMs = 2000): Promise<void> {
  const signal = (name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch {
      // Already exited.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), graceMs);
  await child.status;
  clearTimeout(timer);
}
