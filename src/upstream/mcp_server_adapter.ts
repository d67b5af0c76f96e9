/**
 * Upstream adapter for the legacy `codex mcp-server` (Codex ≤ 0.153.4): one
 * long-lived child driven by the MCP SDK client with the 2025-era
 * `initialize` handshake (so Codex is spawned once), started lazily and
 * restarted after it exits.
 *
 * Wire facts this relies on (checked against Codex 0.153.4):
 * - a turn is one `tools/call` of `codex` {prompt, cwd, sandbox,
 *   approval-policy} or `codex-reply` {threadId (conversationId before 0.87),
 *   prompt}; the result carries `structuredContent {threadId, content}`
 *   (text only before 0.87), `isError` when the turn failed;
 * - progress arrives as `codex/event` notifications whose
 *   `params._meta.requestId` is the JSON-RPC id of that `tools/call` and
 *   `params._meta.threadId` the thread; `params.msg` is the event;
 * - approvals arrive as `elicitation/create` requests naming the call in
 *   `codex_mcp_tool_call_id`. Codex reads `{decision: ReviewDecision}`, not
 *   MCP's `{action, content}`; `{decision: {denied: {rejection}}}` denies
 *   with a reason the model sees, and anything it cannot parse counts as a
 *   denial too. We never send anything else: `approved` would run the
 *   command outside the sandbox;
 * - threads live in the child's memory only: after a restart `codex-reply`
 *   answers "Session not found for thread_id";
 * - a cancelled `tools/call` gets no answer (fine), but Codex keeps that
 *   call's listener on the thread, which swallows the completion of any later
 *   `codex-reply` to it: such replies would hang, so they are refused.
 *
 * @module
 */
import { Client, type ElicitResult, type JSONRPCMessage } from "@modelcontextprotocol/client";
import { UpstreamError } from "../errors.ts";
import { SERVER_INFO } from "../version.ts";
import { INSTALL_HINT } from "./codex_version.ts";
import { LazyChild } from "./lazy_child.ts";
import { type CodexEventMsg, CodexEventTranslator, displayCommand } from "./mcp_server_events.ts";
import { type ChildExit, ChildStdioTransport, describeExit } from "./mcp_server_transport.ts";
import { StderrTail } from "./stderr_tail.ts";
import { DENIAL_REASON } from "./approval_answers.ts";
import type {
  AdapterOptions,
  CodexUpstream,
  ContinueThreadRequest,
  StartThreadRequest,
  TurnResult,
  TurnSettings,
  UpstreamInfo,
} from "./types.ts";

/** Tags our `tools/call` so its JSON-RPC id can be tied to the turn; removed before it reaches Codex. */
const TURN_META_KEY = "codex-gpt-bridge/turn";
/** The bridge's job timeout bounds a turn; the SDK's own (60 s by default) must never fire first. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;
/** The tools `codex mcp-server` offers, until the child lists its own. */
const DEFAULT_TOOLS = ["codex", "codex-reply"];

interface ActiveTurn {
  settings: TurnSettings;
  /** Known from the start for a reply; learned from the first event for a new thread. */
  threadId?: string;
  isNewThread: boolean;
  translator: CodexEventTranslator;
  /** JSON-RPC id of its `tools/call`, once written to Codex. */
  requestId?: string;
}

interface Session {
  client: Client;
  transport: ChildStdioTransport;
  stderr: StderrTail;
  /** Turn key (from `_meta`) → turn, until the request is written. */
  byKey: Map<string, ActiveTurn>;
  /** JSON-RPC id of the `tools/call` → turn. */
  byRequestId: Map<string, ActiveTurn>;
  /** Raw params of pending `elicitation/create` requests by id: the SDK drops Codex's own fields. */
  elicitations: Map<string, Record<string, unknown>>;
  /** Threads whose turn was cancelled in this child (see the module doc). */
  interrupted: Set<string>;
  /** Settles when the child has exited. */
  exited: Promise<void>;
  /** Set once the child is gone or going: every later use fails with it. */
  dead?: UpstreamError;
}

/** See the module doc. */
export class McpServerAdapter implements CodexUpstream {
  readonly protocol = "mcp-server" as const;
  #options: AdapterOptions;
  #child: LazyChild<Session>;
  #tools = DEFAULT_TOOLS;
  /** Why the last start failed (binary missing, not executable, no mcp-server …); cleared by a start that works. */
  #unavailable: string | undefined;
  #closed = false;

  constructor(options: AdapterOptions) {
    this.#options = options;
    this.#child = new LazyChild(() => this.#spawn());
  }

  info(): Promise<UpstreamInfo> {
    return Promise.resolve({
      protocol: this.protocol,
      binary: this.#options.codexPath,
      version: this.#options.version,
      available: this.#unavailable === undefined,
      ...(this.#unavailable ? { problem: this.#unavailable } : {}),
      tools: [...this.#tools],
      confinement: {
        supported: false,
        // It cannot say which MCP servers its config names (no config/read), so it starts them all, unsandboxed.
        problem: "codex mcp-server cannot confine a turn to the root (its codex-reply takes no permission profile, " +
          "it cannot end a turn's background processes, and it starts Codex's own MCP servers outside the " +
          "sandbox): use --upstream app-server (Codex 0.153.4 has both)",
      },
    });
  }

  /** `codex mcp-server` cannot list models: only the owner's `--models` can allow one. */
  listModels(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  startThread(request: StartThreadRequest): Promise<TurnResult> {
    return this.#runTurn("codex", {
      prompt: request.prompt,
      cwd: request.cwd,
      sandbox: request.sandbox,
      "approval-policy": request.approvalPolicy,
      ...(request.model ? { model: request.model } : {}),
      ...(request.reasoningEffort ? { config: { model_reasoning_effort: request.reasoningEffort } } : {}),
    }, request);
  }

  continueThread(request: ContinueThreadRequest): Promise<TurnResult> {
    // threadId from 0.87, conversationId before; each version ignores the other. The sandbox stays the thread's.
    return this.#runTurn(
      "codex-reply",
      {
        threadId: request.threadId,
        conversationId: request.threadId,
        prompt: request.prompt,
      },
      request,
      request.threadId,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const session = await this.#child.take();
    if (!session) return;
    this.#fail(session, new UpstreamError("Codex mcp-server was stopped because the bridge is shutting down"));
    // On EOF Codex first finishes the turns it runs: abandoned ones are not worth waiting for.
    if (session.byRequestId.size > 0) session.transport.kill("SIGTERM");
    // Closing the client closes the transport, which ends the child (EOF, SIGTERM, SIGKILL) and waits for it.
    await session.client.close().catch(() => {});
    await session.exited;
  }

  async #runTurn(
    tool: string,
    args: Record<string, unknown>,
    settings: TurnSettings,
    threadId?: string,
  ): Promise<TurnResult> {
    if (this.#closed) throw new UpstreamError("Codex mcp-server adapter is closed (the bridge is shutting down)");
    if (settings.signal.aborted) throw abortError(settings.signal);
    const session = await this.#child.get();
    if (session.dead) throw session.dead;
    if (threadId && session.interrupted.has(threadId)) {
      throw new UpstreamError(
        `Thread "${threadId}" had a turn interrupted, and codex mcp-server cannot continue such a thread (its ` +
          "reply would never finish): start a new one with codex_run. Codex's app-server protocol (--upstream " +
          "app-server, Codex 0.80+) has no such limit",
      );
    }
    const key = crypto.randomUUID();
    const turn: ActiveTurn = {
      settings,
      threadId,
      isNewThread: threadId === undefined,
      translator: new CodexEventTranslator(settings.onEvent),
    };
    session.byKey.set(key, turn);
    try {
      const result = await session.client.callTool(
        { name: tool, arguments: args, _meta: { [TURN_META_KEY]: key } },
        { signal: settings.signal, timeout: NO_SDK_TIMEOUT },
      );
      const structured = result.structuredContent as { threadId?: unknown; content?: unknown } | undefined;
      const text = typeof structured?.content === "string" ? structured.content : textOf(result.content);
      if (result.isError) throw turnError(tool, text, threadId);
      if (typeof structured?.threadId === "string") this.#noteThread(turn, structured.threadId);
      if (!turn.threadId) throw new UpstreamError("Codex mcp-server finished the turn without naming its thread");
      return { threadId: turn.threadId, text };
    } catch (error) {
      if (settings.signal.aborted) {
        // Only a call Codex received leaves its listener behind on the thread.
        if (turn.threadId && turn.requestId) session.interrupted.add(turn.threadId);
        throw abortError(settings.signal);
      }
      if (error instanceof UpstreamError) throw error;
      // The SDK only says "Connection closed"; the exit tells why. It is noted before the SDK rejects, but a
      // failed write can come first.
      if (!session.dead) await settleWithin(session.exited, 1000);
      throw session.dead ?? new UpstreamError(`Codex mcp-server call failed: ${(error as Error).message}`);
    } finally {
      session.byKey.delete(key);
      if (turn.requestId) session.byRequestId.delete(turn.requestId);
      turn.translator.finish();
    }
  }

  async #spawn(): Promise<Session> {
    const { codexPath, env, log } = this.#options;
    const stderr = new StderrTail({ onLine: (line) => log.debug("codex stderr", { line: plain(line) }) });
    const { promise: exited, resolve: onExited } = Promise.withResolvers<void>();
    const transport = new ChildStdioTransport({
      command: codexPath,
      args: ["mcp-server"],
      env,
      onStderr: (text) => stderr.push(text),
      // Runs before the SDK fails the pending calls, so they fail with this reason.
      onExit: (exit) => {
        this.#onExit(session, exit);
        onExited();
      },
    });
    const client = new Client({ ...SERVER_INFO }, { capabilities: { elicitation: {} } });
    const session: Session = {
      client,
      transport,
      stderr,
      byKey: new Map(),
      byRequestId: new Map(),
      elicitations: new Map(),
      interrupted: new Set(),
      exited,
    };
    transport.beforeSend = (message) => this.#claimRequestId(session, message);
    transport.beforeReceive = (message) => {
      if ("method" in message && message.method === "elicitation/create" && "id" in message) {
        session.elicitations.set(String(message.id), (message.params ?? {}) as Record<string, unknown>);
      }
    };
    client.onerror = (error) => log.warn("codex mcp-server protocol error", { error });
    client.fallbackNotificationHandler = (notification) => {
      if (notification.method === "codex/event") this.#onCodexEvent(session, notification.params ?? {});
      return Promise.resolve();
    };
    client.setRequestHandler("elicitation/create", (request, ctx) => {
      const id = String(ctx.mcpReq.id);
      const params = session.elicitations.get(id) ?? request.params;
      session.elicitations.delete(id);
      return this.#declineApproval(session, params);
    });
    try {
      await client.connect(transport);
    } catch (error) {
      await transport.close();
      throw this.#startError(error, session);
    }
    this.#unavailable = undefined;
    log.info("codex mcp-server started", { pid: transport.pid, binary: codexPath });
    try {
      const { tools } = await client.listTools(undefined, { timeout: 10_000 });
      if (tools.length > 0) this.#tools = tools.map((tool) => tool.name);
    } catch (error) {
      log.debug("codex mcp-server did not list its tools", { error });
    }
    return session;
  }

  #startError(error: unknown, session: Session): UpstreamError {
    const { codexPath } = this.#options;
    let problem: string;
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      const where = codexPath.includes("/") ? `at "${codexPath}"` : `("${codexPath}" is not on PATH)`;
      const what = error instanceof Deno.errors.NotFound ? "not found" : "not executable";
      problem = `Codex CLI ${what} ${where}; ${INSTALL_HINT}`;
    } else {
      const exit = session.transport.exit;
      const last = plain(session.stderr.last);
      const why = exit ? `it exited during start-up (${describeExit(exit)})` : (error as Error).message;
      problem = `Cannot start "${codexPath} mcp-server": ${why}${last ? `; Codex said: "${last}"` : ""}. ` +
        "codex mcp-server exists up to Codex 0.153.4; use --upstream app-server for newer versions";
    }
    this.#unavailable = problem;
    this.#options.log.warn("codex mcp-server did not start", { problem });
    return new UpstreamError(problem);
  }

  #onExit(session: Session, exit: ChildExit): void {
    if (session.dead) return; // We stopped it.
    const last = plain(session.stderr.last);
    const error = new UpstreamError(
      `Codex mcp-server exited unexpectedly (${describeExit(exit)})${
        last ? `; its last stderr line: "${last}"` : ""
      }. ` +
        "The turn was lost; the next request starts Codex again",
    );
    this.#options.log.warn("codex mcp-server exited", { code: exit.code, signal: exit.signal, stderr: last });
    this.#fail(session, error);
  }

  #fail(session: Session, error: UpstreamError): void {
    if (session.dead) return;
    session.dead = error;
    this.#child.forget(session);
    // Pending calls reject through the SDK when the transport closes, and then pick up `session.dead`.
  }

  /** Ties our `tools/call` to its turn by the JSON-RPC id the SDK gave it, and strips our tag. */
  #claimRequestId(session: Session, message: JSONRPCMessage): JSONRPCMessage {
    if (!("method" in message) || message.method !== "tools/call" || !("id" in message)) return message;
    const params = message.params as { _meta?: Record<string, unknown> } | undefined;
    const key = params?._meta?.[TURN_META_KEY];
    const turn = typeof key === "string" ? session.byKey.get(key) : undefined;
    if (!turn || !params?._meta) return message;
    turn.requestId = String(message.id);
    session.byRequestId.set(turn.requestId, turn);
    const { [TURN_META_KEY]: _tag, ...meta } = params._meta;
    const { _meta: _old, ...rest } = params;
    return { ...message, params: Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest };
  }

  #noteThread(turn: ActiveTurn, threadId: string): void {
    if (turn.threadId !== undefined) return;
    turn.threadId = threadId;
    if (turn.isNewThread) turn.settings.onEvent({ kind: "thread_started", threadId });
  }

  #onCodexEvent(session: Session, params: Record<string, unknown>): void {
    const meta = (params._meta ?? {}) as { requestId?: unknown; threadId?: unknown };
    const turn = session.byRequestId.get(String(meta.requestId));
    if (!turn) return; // A turn already settled (or cancelled): nobody is listening.
    const msg = (params.msg ?? {}) as CodexEventMsg;
    // Before 0.87 the thread id came only in session_configured.
    const threadId = typeof meta.threadId === "string"
      ? meta.threadId
      : msg.type === "session_configured" && typeof msg.session_id === "string"
      ? msg.session_id
      : undefined;
    if (threadId) this.#noteThread(turn, threadId);
    turn.translator.translate(msg);
  }

  #declineApproval(session: Session, params: Record<string, unknown>): ElicitResult {
    const turn = session.byRequestId.get(String(params.codex_mcp_tool_call_id)) ??
      [...session.byRequestId.values()].find((t) => t.threadId !== undefined && t.threadId === params.threadId);
    const kind = String(params.codex_elicitation ?? "approval");
    const request = kind === "patch-approval"
      ? `apply patch to ${Object.keys((params.codex_changes ?? {}) as object).join(", ") || "files"}`
      : displayCommand(params.codex_command) || String(params.message ?? kind);
    turn?.translator.declined(String(params.codex_call_id ?? ""), request);
    this.#options.log.info("declined a Codex approval request", { kind, threadId: params.threadId });
    // `action` satisfies the SDK's ElicitResult check; Codex reads only `decision`.
    return { action: "decline", decision: { denied: { rejection: DENIAL_REASON } } };
  }
}

function turnError(tool: string, text: string, threadId: string | undefined): UpstreamError {
  if (tool === "codex-reply" && /session not found/i.test(text)) {
    return new UpstreamError(
      `Thread "${threadId}" is not known to the running Codex: codex mcp-server keeps threads in memory only, so ` +
        "it was lost when Codex restarted. Start a new thread with codex_run (Codex's app-server protocol, " +
        `--upstream app-server, can resume threads). Codex said: ${text}`,
    );
  }
  return new UpstreamError(`Codex failed: ${text || "no details given"}`);
}

function abortError(signal: AbortSignal): UpstreamError {
  const reason = signal.reason;
  if (reason instanceof UpstreamError) return reason;
  return new UpstreamError(reason instanceof Error ? reason.message : `Codex turn was interrupted: ${String(reason)}`);
}

/** A stderr line without the terminal colours Codex's log lines carry. */
function plain(line: string | undefined): string | undefined {
  // deno-lint-ignore no-control-regex
  return line?.replace(/\x1b\[[0-9;]*m/g, "");
}

function textOf(content: unknown): string {
  const blocks = Array.isArray(content) ? content as { type?: string; text?: string }[] : [];
  return blocks.filter((block) => block.type === "text").map((block) => block.text ?? "").join("\n");
}

/** Waits for `promise` at most `ms`, leaving no timer behind. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  } finally {
    clearTimeout(timer);
  }
}
