/**
 * Picks the Codex upstream: probes `codex --version` once, then builds the
 * adapter for the protocol chosen (`auto` prefers `app-server`, the only
 * protocol from Codex 0.154 on). A missing or unsuitable binary yields an
 * {@linkcode UnavailableUpstream}: the bridge still serves `bridge_status`,
 * and Codex tools fail with what was found and what is needed.
 *
 * @module
 */
import { UpstreamError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { type CodexProbe, compareVersions, probeCodex } from "./codex_version.ts";
import type { CodexUpstream, TurnResult, UpstreamInfo, UpstreamProtocol } from "./types.ts";

/** Oldest Codex with `app-server`. */
export const FIRST_APP_SERVER = "0.80.0";
/** Last Codex with `mcp-server`. */
export const LAST_MCP_SERVER = "0.153.4";

/** Options for {@linkcode createUpstream}. */
export interface CreateUpstreamOptions {
  upstream: "auto" | UpstreamProtocol;
  codexPath: string;
  env: Readonly<Record<string, string>>;
  log: Logger;
  /** `codex --version` already under way (started while the server's modules load). @default run now */
  probe?: Promise<CodexProbe>;
}

/** Which protocol a version can serve for a choice, or why not. */
export function chooseProtocol(
  choice: CreateUpstreamOptions["upstream"],
  version: string,
): { protocol: UpstreamProtocol } | { protocol: UpstreamProtocol; problem: string } {
  const hasAppServer = compareVersions(version, FIRST_APP_SERVER) >= 0;
  const hasMcpServer = compareVersions(version, LAST_MCP_SERVER) <= 0;
  if (choice === "auto") return { protocol: hasAppServer ? "app-server" : "mcp-server" };
  if (choice === "app-server" && !hasAppServer) {
    return {
      protocol: choice,
      problem: `Codex ${version} has no app-server (it arrived in ${FIRST_APP_SERVER}); upgrade with ` +
        "`npm i -g @openai/codex` or use --upstream mcp-server",
    };
  }
  if (choice === "mcp-server" && !hasMcpServer) {
    return {
      protocol: choice,
      problem: `Codex ${version} has no mcp-server (removed in 0.154.0; the last is ${LAST_MCP_SERVER}); use ` +
        "--upstream app-server (or auto), or install `npm i -g @openai/codex@0.153.4`",
    };
  }
  return { protocol: choice };
}

/** Probes Codex and returns the upstream to use. Never throws. */
export async function createUpstream(options: CreateUpstreamOptions): Promise<CodexUpstream> {
  const probe = await (options.probe ?? probeCodex(options.codexPath, options.env));
  const fallback = options.upstream === "auto" ? "app-server" : options.upstream;
  if (!probe.found) return new UnavailableUpstream(fallback, options.codexPath, undefined, probe.problem);
  const choice = chooseProtocol(options.upstream, probe.version);
  if ("problem" in choice) {
    return new UnavailableUpstream(choice.protocol, options.codexPath, probe.version, choice.problem);
  }
  const adapterOptions = { codexPath: options.codexPath, version: probe.version, env: options.env, log: options.log };
  // Only the adapter in use is loaded: mcp-server's pulls in the MCP client SDK (~12 MiB of idle RSS).
  if (choice.protocol === "app-server") {
    const { AppServerAdapter } = await import("./app_server_adapter.ts");
    return new AppServerAdapter(adapterOptions);
  }
  const { McpServerAdapter } = await import("./mcp_server_adapter.ts");
  return new McpServerAdapter(adapterOptions);
}

/** An upstream that cannot run: it explains why on every call. */
export class UnavailableUpstream implements CodexUpstream {
  constructor(
    readonly protocol: UpstreamProtocol,
    readonly binary: string,
    readonly version: string | undefined,
    readonly problem: string,
  ) {}

  info(): Promise<UpstreamInfo> {
    return Promise.resolve({
      protocol: this.protocol,
      binary: this.binary,
      version: this.version,
      available: false,
      problem: this.problem,
      tools: [],
      confinement: { supported: false, problem: this.problem },
    });
  }

  startThread(): Promise<TurnResult> {
    return Promise.reject(new UpstreamError(`Codex is unavailable: ${this.problem}`));
  }

  continueThread(): Promise<TurnResult> {
    return this.startThread();
  }

  listModels(): Promise<undefined> {
    return Promise.reject(new UpstreamError(`Codex is unavailable: ${this.problem}`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
