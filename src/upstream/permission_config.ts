/**
 * How a {@linkcode Confinement} reaches Codex: as the `config` overrides of a
 * thread (app-server `thread/start` / `thread/resume`, mcp-server's `codex`
 * tool), naming a permission profile built for this turn alone, plus the
 * shell environment and project trust that go with it. Only the adapters use
 * this; nothing above `upstream/` knows these wire shapes.
 *
 * Facts measured on Codex 0.153.4, 0.169.0 and 0.171.0 (Linux, bundled bubblewrap):
 * - a path outside the profile does not exist for the sandboxed shell; a `"none"` entry gives
 *   "Permission denied"; `/` is a private tmpfs, so `/tmp` never reaches the host;
 * - sending `sandbox` alongside switches the profile off silently: it is never sent with one;
 * - a thread still loaded in the app-server keeps its first profile on `thread/resume`, whatever
 *   `config` says: the adapter unsubscribes it first, and the profile's name, unique per turn,
 *   proves in the answer (`activePermissionProfile.id`) which profile is in force;
 * - Codex starts every MCP server of the user's config for each thread, outside the sandbox (a server is a
 *   plain process of Codex's): thread `config` is deep-merged into the user's, so `mcp_servers = {}` changes
 *   nothing, and no feature switches MCP off. What works on every version is
 *   `mcp_servers.<name>.enabled = false` per name; the names come from Codex itself (app-server
 *   `config/read`, the bridge cannot read CODEX_HOME). A name the merged config lacks fails the thread
 *   ("invalid transport"), so a stale list fails closed. `features.plugins` / `features.apps` off keep plugin
 *   MCP servers and ChatGPT connectors out too.
 *
 * @module
 */
import { UpstreamError } from "../errors.ts";
import type { Confinement } from "./types.ts";

/** Variables the sandboxed shell never sees, whatever Codex's defaults (glob patterns, case-insensitive). */
const SECRET_VARIABLES = ["*KEY*", "*TOKEN*", "*SECRET*", "*PASSWORD*", "*PASSWD*", "*CREDENTIAL*", "*AUTH*"];

/**
 * The shell Codex runs gets the core variables only (HOME, PATH, USER, …),
 * minus anything that looks like a secret: the API keys Codex itself needs
 * never reach a command.
 */
export const SHELL_ENVIRONMENT_POLICY = Object.freeze({
  inherit: "core",
  ignore_default_excludes: false,
  exclude: SECRET_VARIABLES,
});

/**
 * Features that bring MCP servers or connectors besides `[mcp_servers]`: plugins (their bundled servers)
 * and apps (ChatGPT connectors). Off in every bridge turn.
 */
export const MCP_FEATURES_OFF = Object.freeze({ plugins: false, apps: false });

/** The app-server method whose answer lists the user's MCP servers ({@linkcode mcpServerNames}). */
export const CONFIG_READ_METHOD = "config/read";

/**
 * The names of the MCP servers in Codex's answer to `config/read` (its
 * effective config without project layers: a bridge turn pins every project
 * untrusted). Throws {@linkcode UpstreamError} when the answer has no config,
 * so a Codex that cannot say which servers it would start gets no turn.
 */
export function mcpServerNames(answer: unknown): string[] {
  const config = (answer as { config?: unknown } | null)?.config;
  if (!isTable(config)) {
    throw new UpstreamError(
      `Codex answered ${CONFIG_READ_METHOD} without its configuration, so the bridge cannot keep Codex's own MCP ` +
        "servers (which run outside the sandbox) from starting; the turn was not started. Report it with the " +
        "Codex version bridge_status shows",
    );
  }
  const servers = config.mcp_servers;
  if (servers === undefined || servers === null) return [];
  if (!isTable(servers)) throw new UpstreamError(`Codex's ${CONFIG_READ_METHOD} answer has a malformed mcp_servers`);
  return Object.keys(servers);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

let profiles = 0;

/** A profile name no earlier turn of this process used. */
export function newProfileId(): string {
  return `codex-gpt-bridge-${Date.now().toString(36)}-${++profiles}`;
}

/**
 * The thread `config` overrides for a turn: the permission profile (when
 * confined), the shell environment, every folder of `untrusted` pinned
 * untrusted so no project `.codex/` loads and Codex records no trust, and
 * every MCP server in `mcpServers` (names from {@linkcode mcpServerNames})
 * disabled, with the features that bring more of them.
 */
export function threadConfig(
  confinement: Confinement | undefined,
  profileId: string,
  mcpServers: readonly string[],
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    shell_environment_policy: SHELL_ENVIRONMENT_POLICY,
    projects: Object.fromEntries((confinement?.untrusted ?? []).map((dir) => [dir, { trust_level: "untrusted" }])),
    mcp_servers: Object.fromEntries(mcpServers.map((name) => [name, { enabled: false }])),
    features: MCP_FEATURES_OFF,
  };
  if (!confinement) return config;
  const filesystem: Record<string, string> = { ":minimal": "read" };
  for (const path of confinement.readable) filesystem[path] = "read";
  for (const path of confinement.writable) filesystem[path] = "write";
  for (const path of confinement.hidden) filesystem[path] = "none";
  return {
    ...config,
    default_permissions: profileId,
    permissions: { [profileId]: { filesystem, network: { enabled: false } } },
  };
}

/**
 * Throws {@linkcode UpstreamError} unless Codex's answer to `method` names
 * `profileId` as the active permission profile; called before any prompt is
 * sent, so an unconfined thread never gets a turn.
 */
export function assertProfileActive(answer: unknown, profileId: string, method: string): void {
  const active = (answer as { activePermissionProfile?: { id?: unknown } | null })?.activePermissionProfile;
  if (active?.id === profileId) return;
  const found = active ? `profile "${String(active.id)}"` : "no permission profile";
  throw new UpstreamError(
    `Codex answered ${method} with ${found} instead of the bridge's, so it would not be confined to the root; ` +
      "the turn was not started. Check that this Codex supports permission profiles (bridge_status shows its " +
      "version), or report it",
  );
}
