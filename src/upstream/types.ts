/**
 * The boundary between the bridge and Codex. Everything above `src/upstream/`
 * speaks these domain terms only; the wire shapes of each Codex protocol
 * (`codex mcp-server`, `codex app-server`) stay inside their adapter.
 *
 * @module
 */
import type { Logger } from "../log.ts";

/** Sandbox a Codex turn runs in. `danger-full-access` is deliberately absent. */
export type SandboxMode = "read-only" | "workspace-write";

/** When Codex may ask for approval. The bridge always declines what it asks. */
export type ApprovalPolicy = "never" | "on-request";

/** Which Codex protocol an adapter speaks. */
export type UpstreamProtocol = "mcp-server" | "app-server";

/**
 * Progress reported while a turn runs. Adapters translate their protocol's
 * notifications into these; the job registry keeps the latest for polling.
 */
export type UpstreamEvent =
  | { kind: "thread_started"; threadId: string }
  | { kind: "command_started"; command: string }
  | { kind: "command_finished"; command: string; exitCode?: number }
  | { kind: "agent_message"; text: string }
  | { kind: "file_change"; paths: string[] }
  | { kind: "reasoning" }
  /** The reasoning summary Codex is writing, so far (app-server). */
  | { kind: "reasoning_summary"; text: string }
  /** Codex's plan for the turn, as last updated (app-server). */
  | { kind: "plan"; steps: { step: string; status: string }[]; explanation?: string }
  /** Tokens used by the thread so far (app-server). */
  | { kind: "token_usage"; usage: TokenUsage }
  /** Codex asked for an approval and the bridge declined it. */
  | { kind: "approval_declined"; request: string }
  /** Anything else the protocol streamed, named by its wire type. */
  | { kind: "other"; type: string };

/** A model Codex offers, with the reasoning efforts it supports. */
export interface ModelChoice {
  model: string;
  efforts: string[];
  /** The one Codex uses when none is named. */
  isDefault: boolean;
  defaultEffort?: string;
}

/** Token counts as Codex reports them. */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
}

/**
 * What one Codex turn may touch, enforced by the OS through Codex's
 * permission profile (bubblewrap on Linux). Built by `policy/profile.ts`
 * for every turn, replies included; network access is always off.
 */
export interface Confinement {
  /** Realpaths Codex may read, with everything below them (besides the minimal system set). */
  readonly readable: readonly string[];
  /** Realpaths Codex may write (empty unless the turn runs workspace-write). */
  readonly writable: readonly string[];
  /** Realpaths that stay unreadable although they lie inside a readable path. */
  readonly hidden: readonly string[];
  /** Folders whose project configuration (`.codex/`) must never load: Codex treats them as untrusted. */
  readonly untrusted: readonly string[];
}

/** Fields every turn carries: where and how Codex may act. */
export interface TurnSettings {
  /** Absolute, policy-checked working directory. */
  cwd: string;
  sandbox: SandboxMode;
  /**
   * The OS-enforced limits of this turn. Undefined only when the owner chose
   * `--allow-unconfined-codex` for a Codex that cannot enforce them.
   */
  confinement?: Confinement;
  approvalPolicy: ApprovalPolicy;
  /** The model to use; undefined: Codex's default (or the thread's earlier choice). */
  model?: string;
  /** The reasoning effort to use; undefined: the model's default. */
  reasoningEffort?: string;
  /** Aborting cancels the turn upstream (timeout or shutdown). */
  signal: AbortSignal;
  /** Called for each progress event, in order. Must not throw. */
  onEvent: (event: UpstreamEvent) => void;
}

/** Starts a new Codex thread with a first turn. */
export interface StartThreadRequest extends TurnSettings {
  prompt: string;
}

/** Continues a thread this bridge created. */
export interface ContinueThreadRequest extends TurnSettings {
  threadId: string;
  prompt: string;
}

/** What a finished turn returns. */
export interface TurnResult {
  threadId: string;
  /** The final agent message of the turn ("" when Codex said nothing). */
  text: string;
}

/** What the bridge knows about the Codex it drives; never throws to get it. */
export interface UpstreamInfo {
  protocol: UpstreamProtocol;
  /** Command used to launch Codex (as configured or resolved). */
  binary: string;
  /** `codex --version` output, e.g. `0.169.0`; undefined when not found. */
  version?: string;
  /** Whether the binary can serve this protocol. */
  available: boolean;
  /** When unavailable: what was found, what is needed, how to fix it. */
  problem?: string;
  /** Tools/methods the upstream exposes (for `bridge_status`). */
  tools: string[];
  /** Whether this Codex enforces a {@linkcode Confinement}; when not, why and which version would. */
  confinement: { supported: true } | { supported: false; problem: string };
}

/**
 * A Codex backend. Implementations own their child process (started lazily,
 * restarted after it exits) and fail in-flight turns with an
 * {@linkcode UpstreamError} when it dies.
 */
export interface CodexUpstream {
  readonly protocol: UpstreamProtocol;
  /** Describes the upstream without starting a turn. Never rejects. */
  info(): Promise<UpstreamInfo>;
  /**
   * The models this Codex offers; undefined when its protocol cannot list
   * them. Rejects with UpstreamError when Codex cannot be asked.
   */
  listModels(): Promise<ModelChoice[] | undefined>;
  /** Runs a first turn on a new thread. Rejects with UpstreamError. */
  startThread(request: StartThreadRequest): Promise<TurnResult>;
  /** Runs a further turn on an existing thread. Rejects with UpstreamError. */
  continueThread(request: ContinueThreadRequest): Promise<TurnResult>;
  /** Stops the child process, failing anything in flight. */
  close(): Promise<void>;
}

/** What every adapter is constructed with. */
export interface AdapterOptions {
  /** Codex launcher to spawn (absolute path or a name on PATH). */
  codexPath: string;
  /** `codex --version` as probed at start, when known. */
  version?: string;
  /** The complete child environment (already allow-listed by config). */
  env: Readonly<Record<string, string>>;
  log: Logger;
}
