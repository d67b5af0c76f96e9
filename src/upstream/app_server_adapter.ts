/**
 * Upstream adapter for `codex app-server` (the only Codex protocol from 0.154
 * on; present since 0.80): one long-lived child speaking line-delimited
 * JSON-RPC, started lazily and restarted after it exits. Threads persist in
 * CODEX_HOME, so a thread this process has not loaded is resumed first.
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
import type {
  AdapterOptions,
  CodexUpstream,
  ContinueThreadRequest,
  StartThreadRequest,
  TurnResult,
  TurnSettings,
  UpstreamInfo,
} from "./types.ts";

/** Methods this adapter calls (shown by `bridge_status`). */
const METHODS = ["initialize", "thread/start", "thread/resume", "turn/start", "turn/interrupt"];

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
  resolve(result: TurnResult): void;
  reject(error: Error): void;
}

interface Session {
  child: Deno.ChildProcess;
  peer: JsonLinesPeer;
  /** Threads started or resumed in this process. */
  loaded: Set<string>;
  turns: Map<string, ActiveTurn>;
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

  constructor(options: AdapterOptions) {
    this.#options = options;
    this.#child = new LazyChild(() => this.#spawn());
  }

  info(): Promise<UpstreamInfo> {
    return Promise.resolve({
      protocol: this.protocol,
      binary: this.#options.codexPath,
      version: this.#options.version,
      available: true,
      tools: METHODS,
    });
  }

  async startThread(request: StartThreadRequest): Promise<TurnResult> {
    const session = await this.#child.get();
    const result = await this.#call(session, "thread/start", {
      cwd: request.cwd,
      sandbox: request.sandbox,
      approvalPolicy: request.approvalPolicy,
    }) as { thread?: { id?: string } };
    const threadId = result?.thread?.id;
    if (!threadId) throw new UpstreamError("Codex app-server answered thread/start without a thread id");
    session.loaded.add(threadId);
    request.onEvent({ kind: "thread_started", threadId });
    return await this.#runTurn(session, threadId, request.prompt, request);
  }

  async continueThread(request: ContinueThreadRequest): Promise<TurnResult> {
    const session = await this.#child.get();
    if (!session.loaded.has(request.threadId)) {
      // Not loaded in this process (Codex restarted): resume from CODEX_HOME, re-sending all
      // three settings since versions fall back to different defaults otherwise.
      await this.#call(session, "thread/resume", {
        threadId: request.threadId,
        cwd: request.cwd,
        sandbox: request.sandbox,
        approvalPolicy: request.approvalPolicy,
      });
      session.loaded.add(request.threadId);
    }
    return await this.#runTurn(session, request.threadId, request.prompt, request);
  }

  async close(): Promise<void> {
    const session = await this.#child.take();
    if (!session || session.dead) return;
    this.#fail(session, new UpstreamError("Codex was stopped because the bridge is shutting down"));
    await stopChild(session.child);
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
        capabilities: null,
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
    this.#call(session, "turn/start", { threadId, input: [{ type: "text", text: prompt }] }).then(
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

  /** Settles a turn once: resolves with a result or rejects with an error. */
  #finish(session: Session, turn: ActiveTurn, outcome: TurnResult | Error): void {
    if (session.turns.get(turn.threadId) !== turn) return;
    session.turns.delete(turn.threadId);
    // A command cut off by an interrupt never gets its item/completed: close it here.
    for (const command of turn.openCommands.values()) turn.settings.onEvent({ kind: "command_finished", command });
    turn.openCommands.clear();
    if (outcome instanceof Error) turn.reject(outcome);
    else turn.resolve(outcome);
  }

  #onNotification(session: Session, method: string, params: Params): void {
    const threadId = params.threadId ?? params.conversationId;
    const turn = threadId ? session.turns.get(threadId) : undefined;
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
    const isApproval = method.endsWith("requestApproval") || method === "execCommandApproval" ||
      method === "applyPatchApproval";
    if (!isApproval) {
      // Anything else we cannot answer meaningfully (user input, auth refresh …): refuse it.
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
    // Never approve: an approved command runs outside Codex's sandbox. The v1 names use "denied".
    return { decision: method.endsWith("requestApproval") ? "decline" : "denied" };
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
