/**
 * Every command-line flag and environment variable the program reads, in one
 * place. The parser, `--help`, and the Deno permission builder (`--allow-env`)
 * all derive from these tables, so a new option cannot miss one of them.
 *
 * @module
 */

/** One option: a long flag and the environment variables that set it. */
export interface OptionSpec {
  /** Long flag without the leading dashes. */
  readonly flag: string;
  /** Environment variables, read in this order; a flag wins over all. */
  readonly env: readonly string[];
  /** `list` flags repeat; `list` variables split on `,` or the path separator. */
  readonly type: "string" | "boolean" | "list";
  /** A `list` variable of URLs: split on `,` only. */
  readonly commaList?: boolean;
  /** Placeholder shown in `--help`. */
  readonly value?: string;
  readonly description: string;
  /** Default shown in `--help`. */
  readonly default?: string;
  /** The value is a secret: never written to a file (a cached launch plan records only whether it is set). */
  readonly secret?: boolean;
}

/** A table of options, keyed by config field. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** Options of `codex-gpt-bridge serve`. */
export const SERVE_OPTIONS = {
  roots: {
    flag: "root",
    env: ["CODEX_GPT_BRIDGE_ROOTS", "CODEX_GPT_BRIDGE_ROOT"],
    type: "list",
    value: "DIR",
    description: "Directory Codex may work in (repeatable). Required.",
  },
  host: {
    flag: "host",
    env: ["CODEX_GPT_BRIDGE_HOST"],
    type: "string",
    value: "ADDR",
    description: "Address to listen on.",
    default: "127.0.0.1",
  },
  port: {
    flag: "port",
    env: ["CODEX_GPT_BRIDGE_PORT"],
    type: "string",
    value: "N",
    description: "Port to listen on; 0 picks a free one.",
    default: "8765",
  },
  token: {
    flag: "token",
    env: ["CODEX_GPT_BRIDGE_TOKEN"],
    type: "string",
    value: "SECRET",
    secret: true,
    description:
      "Bearer token clients must send (at least 16 characters); never stored. Without one, a generated token is kept in the state folder and reused.",
  },
  rotateToken: {
    flag: "rotate-token",
    env: ["CODEX_GPT_BRIDGE_ROTATE_TOKEN"],
    type: "boolean",
    description: "Replace the stored generated token with a new one (clients must then be given the new one).",
  },
  noAuth: {
    flag: "no-auth",
    env: ["CODEX_GPT_BRIDGE_NO_AUTH"],
    type: "boolean",
    description: "Serve without authentication (loopback binds only).",
  },
  authMode: {
    flag: "auth",
    env: ["CODEX_GPT_BRIDGE_AUTH"],
    type: "string",
    value: "bearer|oauth|none",
    description: "How clients authenticate: a bearer token, OAuth with owner consent (needs --public-url), or none.",
    default: "bearer",
  },
  publicUrl: {
    flag: "public-url",
    env: ["CODEX_GPT_BRIDGE_PUBLIC_URL"],
    type: "string",
    value: "URL",
    description: "Public https URL clients reach the bridge at (e.g. a tunnel's); its host is allowed in Host/Origin.",
  },
  oauthRedirects: {
    flag: "oauth-redirect",
    env: ["CODEX_GPT_BRIDGE_OAUTH_REDIRECTS"],
    type: "list",
    commaList: true,
    value: "PATTERN",
    description: "More OAuth redirect URIs clients may use; * matches one run of [A-Za-z0-9._~-] (repeatable).",
    default: "ChatGPT's two redirect forms only",
  },
  oauthExtraResources: {
    flag: "oauth-extra-resource",
    env: ["CODEX_GPT_BRIDGE_OAUTH_EXTRA_RESOURCES"],
    type: "list",
    commaList: true,
    value: "URL",
    description: "Another resource URL tokens may be issued for, e.g. one a tunnel rewrites (repeatable).",
  },
  allowedHosts: {
    flag: "allowed-host",
    env: ["CODEX_GPT_BRIDGE_ALLOWED_HOSTS"],
    type: "list",
    value: "NAME",
    description: "Extra Host header name to accept, e.g. your tunnel's (repeatable).",
    default: "loopback names only",
  },
  allowWrite: {
    flag: "allow-write",
    env: ["CODEX_GPT_BRIDGE_ALLOW_WRITE"],
    type: "boolean",
    description: "Let codex_run use the workspace-write sandbox.",
  },
  approvalPolicy: {
    flag: "approval-policy",
    env: ["CODEX_GPT_BRIDGE_APPROVAL_POLICY"],
    type: "string",
    value: "never|on-request",
    description: "Codex approval policy; approval requests are always declined.",
    default: "never",
  },
  fastReturnMs: {
    flag: "fast-return-ms",
    env: ["CODEX_GPT_BRIDGE_FAST_RETURN_MS"],
    type: "string",
    value: "MS",
    description: "How long a call waits before answering status=running with a jobId.",
    default: "25000",
  },
  timeoutMs: {
    flag: "timeout-ms",
    env: ["CODEX_GPT_BRIDGE_TIMEOUT_MS"],
    type: "string",
    value: "MS",
    description: "Longest a Codex job may run; a call's timeoutMs may only lower it.",
    default: "1800000",
  },
  maxJobs: {
    flag: "max-jobs",
    env: ["CODEX_GPT_BRIDGE_MAX_JOBS"],
    type: "string",
    value: "N",
    description: "Most Codex jobs running at once; more get a busy error.",
    default: "4",
  },
  disableSecretScan: {
    flag: "disable-secret-scan",
    env: ["CODEX_GPT_BRIDGE_DISABLE_SECRET_SCAN"],
    type: "boolean",
    description: "Skip the secret scan: secrets in the roots become readable to Codex (not recommended).",
  },
  secretPatterns: {
    flag: "secret-pattern",
    env: ["CODEX_GPT_BRIDGE_SECRET_PATTERNS"],
    type: "list",
    value: "GLOB",
    description: "More files to hide from Codex, e.g. '*.secret' or 'config/prod/**' (repeatable).",
  },
  codexReadPaths: {
    flag: "codex-read-path",
    env: ["CODEX_GPT_BRIDGE_CODEX_READ_PATHS"],
    type: "list",
    value: "DIR",
    description: "Folder outside the roots Codex may read, e.g. a toolchain in ~/.nvm or ~/.cargo (repeatable).",
  },
  allowUnconfinedCodex: {
    flag: "allow-unconfined-codex",
    env: ["CODEX_GPT_BRIDGE_ALLOW_UNCONFINED_CODEX"],
    type: "boolean",
    description: "Run a Codex too old to be confined to the roots (it could read the whole disk).",
  },
  codex: {
    flag: "codex",
    env: ["CODEX_GPT_BRIDGE_CODEX"],
    type: "string",
    value: "PATH",
    description: "Codex CLI to run.",
    default: "codex on PATH",
  },
  upstream: {
    flag: "upstream",
    env: ["CODEX_GPT_BRIDGE_UPSTREAM"],
    type: "string",
    value: "auto|app-server|mcp-server",
    description: "Codex protocol; auto picks app-server when the installed Codex has it.",
    default: "auto",
  },
  stateDir: {
    flag: "state-dir",
    env: ["CODEX_GPT_BRIDGE_STATE_DIR"],
    type: "string",
    value: "DIR",
    description:
      "Folder for what outlives a run (jobs, threads, grants, token, audit); the only one the bridge writes.",
    default: "$XDG_STATE_HOME/codex-gpt-bridge or ~/.local/state/codex-gpt-bridge",
  },
  noKeychain: {
    flag: "no-keychain",
    env: ["CODEX_GPT_BRIDGE_NO_KEYCHAIN"],
    type: "boolean",
    description: "Do not fill the tunnel id, its API key or the token from the OS keychain at start.",
  },
  models: {
    flag: "models",
    env: ["CODEX_GPT_BRIDGE_MODELS"],
    type: "list",
    value: "NAME",
    description: "Models a call may choose (comma-separated or repeatable); unset: any Codex offers.",
  },
  maxReasoningEffort: {
    flag: "max-reasoning-effort",
    env: ["CODEX_GPT_BRIDGE_MAX_REASONING_EFFORT"],
    type: "string",
    value: "none|minimal|low|medium|high|xhigh|max|ultra",
    description: "Highest reasoning effort a call may choose; unset: any the model offers.",
  },
  auditPrompts: {
    flag: "audit-prompts",
    env: ["CODEX_GPT_BRIDGE_AUDIT_PROMPTS"],
    type: "boolean",
    description: "Write each prompt into the audit trail (audit.jsonl in the state folder); off by default.",
  },
  logLevel: {
    flag: "log-level",
    env: ["CODEX_GPT_BRIDGE_LOG_LEVEL"],
    type: "string",
    value: "debug|info|warn|error",
    description: "Lowest level of the JSON log lines on stderr.",
    default: "info",
  },
  tunnelId: {
    flag: "tunnel-id",
    env: ["CONTROL_PLANE_TUNNEL_ID"],
    type: "string",
    value: "ID",
    description: "Also serve ChatGPT through OpenAI's Secure MCP Tunnel with this id (tunnel_ + 32 letters/digits); " +
      "its runtime API key comes from CONTROL_PLANE_API_KEY, never a flag.",
    default: "the keychain's codex-gpt-bridge:control-plane-tunnel-id, if stored",
  },
  controlPlaneUrl: {
    flag: "control-plane-url",
    env: ["CONTROL_PLANE_BASE_URL"],
    type: "string",
    value: "URL",
    description: "Secure MCP Tunnel control plane (https; http only for a loopback address).",
    default: "https://api.openai.com",
  },
} as const satisfies OptionTable;

/**
 * Secrets `serve` reads from the environment only, never from a flag (flags
 * show in process lists): the tunnel's runtime API key.
 */
export const SERVE_SECRET_ENV = ["CONTROL_PLANE_API_KEY"] as const;

/** Options of `codex-gpt-bridge chatgpt`. */
export const CHATGPT_OPTIONS = {
  apiKey: {
    flag: "api-key",
    env: ["OPENAI_API_KEY"],
    type: "string",
    value: "KEY",
    secret: true,
    description: "OpenAI API key (prefer the variable: flags show up in process lists).",
  },
  baseUrl: {
    flag: "base-url",
    env: ["OPENAI_BASE_URL"],
    type: "string",
    value: "URL",
    description: "Responses API base URL.",
    default: "https://api.openai.com/v1",
  },
  model: {
    flag: "model",
    env: ["CODEX_CHATGPT_MODEL"],
    type: "string",
    value: "NAME",
    description: "Default model for ask_chatgpt.",
    default: "gpt-5.5",
  },
  timeoutMs: {
    flag: "timeout-ms",
    env: ["CODEX_CHATGPT_TIMEOUT_MS"],
    type: "string",
    value: "MS",
    description: "Longest an ask_chatgpt call may take; a call's timeoutMs may only lower it.",
    default: "180000",
  },
  logLevel: {
    flag: "log-level",
    env: ["CODEX_CHATGPT_LOG_LEVEL"],
    type: "string",
    value: "debug|info|warn|error",
    description: "Lowest level of the JSON log lines on stderr.",
    default: "info",
  },
} as const satisfies OptionTable;

/** Options of `codex-gpt-bridge setup codex`. */
export const SETUP_CODEX_OPTIONS = {
  remove: {
    flag: "remove",
    env: [],
    type: "boolean",
    description: "Take the chatgpt server out of Codex's config instead of adding it.",
  },
  codexHome: {
    flag: "codex-home",
    env: ["CODEX_HOME"],
    type: "string",
    value: "DIR",
    description: "Codex's home folder, whose config.toml is edited.",
    default: "~/.codex",
  },
} as const satisfies OptionTable;

/** Options of `codex-gpt-bridge doctor` besides the `serve` ones it checks. */
export const DOCTOR_OPTIONS = {
  json: {
    flag: "json",
    env: [],
    type: "boolean",
    description: "Print the checks as one JSON document instead of lines.",
  },
} as const satisfies OptionTable;

/**
 * Read by the `./codex-gpt-bridge` shell launcher, not the program: the Deno
 * to run when `deno` is not on PATH (`setup codex` records the one it ran under).
 */
export const LAUNCHER_DENO_ENV = "CODEX_GPT_BRIDGE_DENO";

/** Options of `codex-gpt-bridge oauth list | revoke`. */
export const OAUTH_OPTIONS = {
  stateDir: SERVE_OPTIONS.stateDir,
  all: {
    flag: "all",
    env: [],
    type: "boolean",
    description: "With revoke: end every grant.",
  },
} as const satisfies OptionTable;

/**
 * Variables passed through to the Codex child; nothing else of the bridge's
 * environment reaches it.
 */
export const CODEX_CHILD_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LANG",
  "TMPDIR",
  "CODEX_HOME",
  "OPENAI_API_KEY",
  "CODEX_API_KEY",
] as const;

/** Every variable an option table reads. */
export function optionVariables(table: OptionTable): string[] {
  return Object.values(table).flatMap((spec) => [...spec.env]);
}

/** The secret options of `table` (see {@linkcode OptionSpec.secret}). */
export function secretOptions(table: OptionTable): OptionSpec[] {
  return Object.values(table).filter((spec) => spec.secret === true);
}

/**
 * Every variable holding a secret that a command reads: the secret options'
 * variables, the tunnel's key, and the API keys passed through to Codex.
 */
export const SECRET_VARIABLES: readonly string[] = Object.freeze([
  ...[SERVE_OPTIONS, CHATGPT_OPTIONS].flatMap((table) => secretOptions(table).flatMap((spec) => spec.env)),
  ...SERVE_SECRET_ENV,
  "OPENAI_API_KEY",
  "CODEX_API_KEY",
]);
