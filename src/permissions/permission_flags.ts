/**
 * The one place that decides which Deno permissions the serving process
 * holds. Every launch path (the `deno task`s, `./codex-gpt-bridge`, the
 * compiled binary) takes its flags from here, so the runtime enforces the
 * same limits the policy promises: read only the roots, run only Codex,
 * listen only on the configured address.
 *
 * @module
 */
import {
  CHATGPT_OPTIONS,
  CODEX_CHILD_ENV,
  optionVariables,
  SERVE_OPTIONS,
  SERVE_SECRET_ENV,
  SETUP_CODEX_OPTIONS,
} from "../config/options.ts";

/** Variables the `openai` package honours that an owner may rely on (org/project-scoped keys). */
export const OPENAI_LIBRARY_ENV = ["OPENAI_ORG_ID", "OPENAI_PROJECT_ID"] as const;

/** Variables the `openai` package probes at construction that `ask_chatgpt` must not pick up. */
export const OPENAI_IGNORED_ENV = [
  "OPENAI_ADMIN_KEY",
  "OPENAI_WEBHOOK_SECRET",
  "OPENAI_LOG",
  "OPENAI_CUSTOM_HEADERS",
] as const;

/** What the `serve` permission set is computed from (all resolved by the launcher). */
export interface ServePermissionInput {
  /** Roots, resolved with realpath. */
  roots: readonly string[];
  /** Other folders the policy must look at: Codex's install, the owner's `--codex-read-path`s (realpaths). @default [] */
  alsoRead?: readonly string[];
  /** Absolute path of the Codex launcher. */
  codexPath: string;
  host: string;
  /** A concrete port (the launcher picks one for `--port 0`). */
  port: number;
  /** The state folder (realpath, created by the launcher): the only place the bridge writes. */
  stateDir: string;
  /** The Secure MCP Tunnel control plane's URL, when a tunnel is configured. */
  controlPlaneUrl?: string;
  /** `host:port`s the bridge may connect to: OAuth client metadata documents (ChatGPT's). @default [] */
  fetchHosts?: readonly string[];
}

function hostPort(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `host:port` of a URL, the port spelled out: what `--allow-net` names. */
export function urlHostPort(text: string): string {
  const url = new URL(text);
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Deno flags for the `serve` process. */
export function servePermissionFlags(input: ServePermissionInput): string[] {
  return [
    "--no-prompt",
    // The roots: realpath checks, the secret scan; the read paths get the same scan, Codex's install folder
    // its realpath. Nothing else is ever read.
    `--allow-read=${unique([...input.roots, ...(input.alsoRead ?? []), input.stateDir]).join(",")}`,
    // Jobs, threads, grants and the audit log live there; nothing else is written.
    `--allow-write=${input.stateDir}`,
    // Exactly the Codex launcher: `codex --version`, `codex app-server` / `mcp-server`.
    `--allow-run=${input.codexPath}`,
    // Listening on the configured address; outbound only to a tunnel's control plane and the OAuth client
    // metadata hosts (if any).
    `--allow-net=${
      unique([
        hostPort(input.host, input.port),
        ...(input.controlPlaneUrl ? [urlHostPort(input.controlPlaneUrl)] : []),
        ...(input.fetchHosts ?? []),
      ]).join(",")
    }`,
    `--allow-env=${unique([...optionVariables(SERVE_OPTIONS), ...SERVE_SECRET_ENV, ...CODEX_CHILD_ENV]).join(",")}`,
    // request.signal then aborts only when a client goes away, which is what the MCP SDK listens for
    // (and Deno stops printing a warning that is not a JSON log line).
    "--unstable-no-legacy-abort",
  ];
}

/** Deno flags for `codex-gpt-bridge oauth list | revoke`: the state folder and the variables naming it. */
export function oauthCliPermissionFlags(input: { stateDir: string; env: readonly string[] }): string[] {
  return [
    "--no-prompt",
    `--allow-read=${input.stateDir}`,
    `--allow-write=${input.stateDir}`,
    `--allow-env=${unique([...input.env]).join(",")}`,
  ];
}

/** What the `chatgpt` permission set is computed from. */
export interface ChatgptPermissionInput {
  /** The Responses API base URL. */
  baseUrl: string;
}

/** Deno flags for the `chatgpt` process: the API host, its variables, nothing else. */
export function chatgptPermissionFlags(input: ChatgptPermissionInput): string[] {
  return [
    "--no-prompt",
    `--allow-net=${urlHostPort(input.baseUrl)}`,
    `--allow-env=${[...optionVariables(CHATGPT_OPTIONS), ...OPENAI_LIBRARY_ENV].join(",")}`,
    `--ignore-env=${OPENAI_IGNORED_ENV.join(",")}`,
  ];
}

/** What the `service` permission set is computed from. */
export interface ServicePermissionInput {
  /** The folders installing the service writes (its file's, the logs'). */
  writeDirs: readonly string[];
  /** Absolute path of systemctl/launchctl, when installed. */
  manager: string | undefined;
}

/** Variables `service` reads: where the file goes, the PATH the service gets, the default state folder. */
export const SERVICE_ENV = ["HOME", "PATH", "XDG_STATE_HOME"] as const;

/**
 * Deno flags for the `service` process: write the service file's folders,
 * run the service manager, read anything (the serve flags' roots and Codex
 * are checked before the file is written), know the uid (launchd's domain).
 */
export function servicePermissionFlags(input: ServicePermissionInput): string[] {
  return [
    "--no-prompt",
    "--allow-read",
    `--allow-write=${unique(input.writeDirs).join(",")}`,
    ...(input.manager ? [`--allow-run=${input.manager}`] : []),
    `--allow-env=${SERVICE_ENV.join(",")}`,
    "--allow-sys=uid",
  ];
}

/**
 * Deno flags for the `secret` process: find and run the keychain tool, read
 * PATH; nothing else (stdin and stdout need no permission).
 */
export function secretPermissionFlags(input: { tool: string | undefined }): string[] {
  return [
    "--no-prompt",
    ...(input.tool ? [`--allow-read=${input.tool}`, `--allow-run=${input.tool}`] : []),
    "--allow-env=PATH",
  ];
}

/** What the `setup codex` permission set is computed from. */
export interface SetupCodexPermissionInput {
  /** Codex's home folder. */
  codexHome: string;
  /** The folder of the real `config.toml` when it is a symlink out of the home folder (dotfile managers). */
  configDir?: string;
}

/** Deno flags for `setup codex`: Codex's home folder (read and write) and its variables, nothing else. */
export function setupCodexPermissionFlags(input: SetupCodexPermissionInput): string[] {
  const folders = unique([input.codexHome, ...(input.configDir ? [input.configDir] : [])]).join(",");
  return [
    "--no-prompt",
    `--allow-read=${folders}`,
    `--allow-write=${folders}`,
    `--allow-env=${[...optionVariables(SETUP_CODEX_OPTIONS), "HOME"].join(",")}`,
  ];
}

/**
 * The launcher stage's own permissions, as `./codex-gpt-bridge` and the
 * `deno task start`/`chatgpt` tasks grant them: broad, since it only plans
 * the confined stage (and fetches the npm packages on a first start).
 */
export function launcherPermissionFlags(): string[] {
  return ["--allow-read", "--allow-env", "--allow-run", "--allow-net"];
}
