/**
 * Upstream adapter for the legacy `codex mcp-server` (Codex ≤ 0.153.4): one
 * long-lived child driven by the MCP SDK's stdio client (2025-era handshake,
 * so Codex is spawned once), started lazily and restarted after it exits.
 * Progress arrives as `codex/event` notifications tagged with the id of the
 * `tools/call` they belong to.
 *
 * @module
 */
import { SERVER_INFO } from "../version.ts";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { UpstreamError } from "../errors.ts";
import { INSTALL_HINT } from "./codex_version.ts";
import { LazyChild } from "./lazy_child.ts";
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

/** Marks our `tools/call` requests so their JSON-RPC id can be linked to the turn. */
const TURN_META_KEY = "codex-gpt-bridge/turn";
/** Jobs are bounded by the bridge's own timeout; the SDK's must never fire first. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;

interface ActiveTurn {
  settings: TurnSettings;
  threadId?: string;
  openCommands: Map<string, string>;
}

interface Session {
  client: Client;
  transport: StdioClientTransport;
  /** JSON-RPC request id → turn. */
  byRequestId: Map<string, ActiveTurn>;
  /** Turn key (from `_meta`) → turn, until its request id is known. */
  byKey: Map<string, ActiveTurn>;
  /** Threads created in this child; mcp-server keeps them in memory only. */
  threads: Set<string>;
  /** Threads whose turn was cancelled: mcp-server may never finish them, so replies would hang. */
  interrupted: Set<string>;
  tools: string[];
  stderr: StderrTail;
  dead?: UpstreamError;
}

type CodexEvent = { type?: string; [key: string]: unknown };

function commandText(command: unknown): string {
  return Array.isArray(command) ? command.join(" ") : String(command ?? "");
}

/** See the module doc. */
export class McpServerAdapter implements CodexUpstream {
  readonly protocol = "mcp-server" as const;
  #options: AdapterOptions;
  #child: LazyChild<Session>;
  #lastTools: string[] = ["codex", "codex-reply"];

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
      tools: this.#lastTools,
    });
  }

  async startThread(request: StartThreadRequest): Promise<TurnResult> {
    const session = await this.#child.get();
    return await this.#callTool(session, "codex", {
      prompt: request.prompt,
      cwd: request.cwd,
      sandbox: request.sandbox,
      "approval-policy": request.approvalPolicy,
    }, request);
  }

  async continueThread(request: ContinueThreadRequest): Promise<TurnResult> {
    const session = await this.#child.get();
    if (!session.threads.has(request.threadId)) {
      throw new UpstreamError(
        `Thread "${request.threadId}" was lost when Codex restarted (codex mcp-server keeps threads in memory ` +
          `only); start a new one with codex_run, or upgrade Codex to use the app-server protocol`,
      );
    }
    if (session.interrupted.has(request.threadId)) {
      throw new UpstreamError(
        `Thread "${request.threadId}" had a turn interrupted, and codex mcp-server cannot reliably continue such a ` +
          `thread; start a new one with codex_run (Codex's app-server protocol, the default from 0.80, can)`,
      );
    }
    // threadId from 0.87, conversationId before: send both.
    return await this.#callTool(
      session,
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
    const session = await this.#child.take();
    if (!session || session.dead) return;
    this.#fail(session, new UpstreamError("Codex was stopped because the bridge is shutting down"));
    await session.client.close().catch(() => {});
  }

  async #spawn(): Promise<Session> {
    const { codexPath, env, log } = this.#options;
    const transport = new StdioClientTransport({
      command: codexPath,
      args: ["mcp-server"],
      env: { ...env },
      stderr: "pipe",
    });
    const client = new Client({ ...SERVER_INFO }, {
      capabilities: { elicitation: {} },
    });
    const session: Session = {
      client,
      transport,
      byRequestId: new Map(),
      byKey: new Map(),
      threads: new Set(),
      interrupted: new Set(),
      tools: [],
      stderr: new StderrTail({ onLine: (line) => log.debug("codex stderr", { line }) }),
    };
    this.#collectStderr(session);
    // Learn the JSON-RPC id of each of our tools/call requests from the wire.
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      const m = message as { id?: unknown; method?: string; params?: { _meta?: Record<string, unknown> } };
      const key = m.method === "tools/call" ? m.params?._meta?.[TURN_META_KEY] : undefined;
      if (typeof key === "string" && session.byKey.has(key)) {
        session.byRequestId.set(String(m.id), session.byKey.get(key)!);
      }
      return send(message);
    };
    client.fallbackNotificationHandler = (notification) => {
      if (notification.method === "codex/event") this.#onEvent(session, notification.params ?? {});
      return Promise.resolve();
    };
    // Never approve: Codex's "approved" runs the command outside its sandbox.
    client.setRequestHandler("elicitation/create", () => {
      log.info("declined a Codex approval request");
      return { action: "decline", decision: "denied" } as { action: "decline" };
    });
    transport.onclose = () => {
      const last = session.stderr.last;
      this.#fail(session, new UpstreamError(`Codex mcp-server exited${last ? `: ${last}` : ""}`));
    };
    try {
      await client.connect(transport);
    } catch (error) {
      const reason = (error as Error).message ?? String(error);
      const missing = /ENOENT|not found/i.test(reason);
      throw new UpstreamError(
        `Cannot start "${codexPath} mcp-server": ${missing ? "not found" : reason}` +
          (missing ? `; ${INSTALL_HINT}` : ""),
      );
    }
    log.info("codex mcp-server started", { pid: transport.pid, binary: codexPath });
    const { tools } = await client.listTools().catch(() => ({ tools: [] as { name: string }[] }));
    session.tools = tools.map((tool) => tool.name);
    if (session.tools.length > 0) this.#lastTools = session.tools;
    return session;
  }

  #collectStderr(session: Session): void {
    session.transport.stderr?.on("data", (chunk: Uint8Array | string) => session.stderr.push(chunk.toString()));
  }

  #fail(session: Session, error: UpstreamError): void {
    if (session.dead) return;
    session.dead = error;
    this.#child.forget(session);
    // Pending callTool promises reject through the SDK when the transport closes.
  }

  async #callTool(
    session: Session,
    name: string,
    args: Record<string, unknown>,
    settings: TurnSettings,
    threadId?: string,
  ): Promise<TurnResult> {
    if (session.dead) throw session.dead;
    const key = crypto.randomUUID();
    const turn: ActiveTurn = { settings, threadId, openCommands: new Map() };
    session.byKey.set(key, turn);
    try {
      const result = await session.client.callTool(
        { name, arguments: args, _meta: { [TURN_META_KEY]: key } },
        { signal: settings.signal, timeout: NO_SDK_TIMEOUT },
      );
      const structured = result.structuredContent as { threadId?: string; content?: string } | undefined;
      const text = structured?.content ??
        (result.content as { type: string; text?: string }[]).filter((c) => c.type === "text").map((c) => c.text)
          .join("\n");
      if (result.isError) throw new UpstreamError(`Codex failed: ${text || "no details"}`);
      const id = structured?.threadId ?? turn.threadId;
      if (!id) throw new UpstreamError("Codex mcp-server finished without naming its thread");
      this.#noteThread(session, turn, id);
      return { threadId: id, text };
    } catch (error) {
      if (settings.signal.aborted) {
        if (turn.threadId) session.interrupted.add(turn.threadId);
        const reason = settings.signal.reason;
        throw reason instanceof UpstreamError ? reason : new UpstreamError("Codex turn was interrupted");
      }
      if (error instanceof UpstreamError) throw error;
      throw session.dead ?? new UpstreamError(`Codex mcp-server call failed: ${(error as Error).message}`);
    } finally {
      session.byKey.delete(key);
      for (const [id, t] of session.byRequestId) if (t === turn) session.byRequestId.delete(id);
      for (const command of turn.openCommands.values()) settings.onEvent({ kind: "command_finished", command });
    }
  }

  #noteThread(session: Session, turn: ActiveTurn, threadId: string): void {
    session.threads.add(threadId);
    if (turn.threadId === undefined) {
      turn.threadId = threadId;
      turn.settings.onEvent({ kind: "thread_started", threadId });
    }
  }

  #onEvent(session: Session, params: Record<string, unknown>): void {
    const meta = (params._meta ?? {}) as { requestId?: unknown; threadId?: string };
    const turn = session.byRequestId.get(String(meta.requestId));
    if (!turn) return;
    const msg = (params.msg ?? {}) as CodexEvent;
    const emit = turn.settings.onEvent;
    const threadId = meta.threadId ?? (msg.type === "session_configured" ? String(msg.session_id) : undefined);
    if (threadId) this.#noteThread(session, turn, threadId);
    switch (msg.type) {
      case "exec_command_begin": {
        const command = commandText(msg.command);
        turn.openCommands.set(String(msg.call_id), command);
        emit({ kind: "command_started", command });
        return;
      }
      case "exec_command_end": {
        if (!turn.openCommands.delete(String(msg.call_id))) return;
        const exitCode = typeof msg.exit_code === "number" ? msg.exit_code : undefined;
        emit({ kind: "command_finished", command: commandText(msg.command), exitCode });
        return;
      }
      case "agent_message":
        emit({ kind: "agent_message", text: String(msg.message ?? "") });
        return;
      case "patch_apply_begin":
        emit({ kind: "file_change", paths: Object.keys((msg.changes ?? {}) as object) });
        return;
      case "agent_reasoning":
        emit({ kind: "reasoning" });
        return;
      case "exec_approval_request":
      case "apply_patch_approval_request":
        emit({ kind: "approval_declined", request: commandText(msg.command) || msg.type });
        return;
      default:
        if (msg.type && !msg.type.endsWith("_delta") && msg.type !== "raw_response_item") {
          emit({ kind: "other", type: msg.type });
        }
    }
  }
}
