/**
 * Wires the `serve` command: roots → upstream → registries → service → MCP
 * server factory → HTTP handler → `Deno.serve`. Returns a handle so tests
 * and benchmarks can run the bridge in-process.
 *
 * @module
 */
import { join } from "node:path";
import type { ServeConfig } from "./config/serve_config.ts";
import { createAuthGuard } from "./http/auth.ts";
import { createHttpHandler } from "./http/handler.ts";
import { createHostOriginGuard } from "./http/host_origin.ts";
import { JobRegistry } from "./jobs/job_registry.ts";
import { ThreadRegistry } from "./jobs/thread_registry.ts";
import type { Logger } from "./log.ts";
import { resolveRoots } from "./policy/roots.ts";
import { resolveReadPaths } from "./policy/read_paths.ts";
import { codexInstallDir } from "./policy/codex_install.ts";
import { SecretScanner } from "./policy/secrets.ts";
import { resolveExecutable } from "./permissions/file_probe.ts";
import { BridgeService } from "./service/bridge_service.ts";
import { createUpstream } from "./upstream/mod.ts";
import { ensureStateDir } from "./state/state_dir.ts";
import { AuditLog } from "./audit/audit_log.ts";
import { SqliteJobRepository } from "./state/job_repository.ts";
import { SqliteThreadRepository } from "./state/thread_repository.ts";
import { ConfigError } from "./errors.ts";
import type { CodexUpstream, UpstreamInfo } from "./upstream/types.ts";
import type { CodexProbe } from "./upstream/codex_version.ts";
import type { RetryPolicy, TunnelClient } from "./tunnel/client.ts";

/** How long Ctrl-C / SIGTERM lets tunnel commands in flight finish before they are cut off. */
export const TUNNEL_SHUTDOWN_GRACE_MS = 10_000;
import { openDatabase } from "./state/database.ts";
import type { OAuthServer } from "./oauth/oauth_server.ts";
import type { ConsentSink } from "./oauth/authorize.ts";
import type { MetadataFetch } from "./oauth/clients.ts";

/** Options for {@linkcode startBridge}. */
export interface StartBridgeOptions {
  log: Logger;
  /** Use this upstream instead of launching Codex (tests, benchmarks). */
  upstream?: CodexUpstream;
  /** `codex --version` started early by the caller, so it overlaps the loading of modules. */
  codexProbe?: Promise<CodexProbe>;
  /** Extra facts for `bridge_status` (e.g. runtime permissions). */
  describe?: () => Record<string, unknown>;
  /** Tunnel retry timings (tests). @default DEFAULT_RETRY */
  tunnelRetry?: Partial<RetryPolicy>;
  /** Where OAuth consent codes go. @default a line on stdout */
  consent?: ConsentSink;
  /** Fetches OAuth client metadata documents. @default globalThis.fetch */
  oauthFetch?: MetadataFetch;
}

/** A running bridge. */
export interface RunningBridge {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8765/mcp`. */
  url: string;
  port: number;
  roots: readonly string[];
  codex: UpstreamInfo;
  service: BridgeService;
  /** The Secure MCP Tunnel client, when `--tunnel-id` is set. */
  tunnel?: TunnelClient;
  /**
   * Answers one `tools/list` in-process, so that the first client's request does not pay the one-time costs
   * behind it (~70 ms here: the SDK builds its wire schemas lazily, zod compiles its parsers, the tools' JSON
   * Schemas are made). Called once the bridge has said it is listening, when nothing else is waiting.
   */
  warmUp(): Promise<void>;
  /** Stops serving, interrupts running jobs, stops Codex. */
  close(): Promise<void>;
  /** Settles when the HTTP server has stopped. */
  finished: Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

// The OAuth server and the tunnel client are loaded only when configured: their modules, and the `node:crypto`
// polyfill OAuth uses (~30 ms alone), would cost every start. Both before anything is opened, so that nothing is
// left running if one fails to load.
async function loadOAuth() {
  const [{ createOAuthServer }, { createOAuthGuard }, { BRIDGE_SCOPE }] = await Promise.all([
    import("./oauth/oauth_server.ts"),
    import("./http/oauth_guard.ts"),
    import("./oauth/metadata.ts"),
  ]);
  return { createOAuthServer, createOAuthGuard, BRIDGE_SCOPE };
}

async function loadTunnel() {
  const [{ TunnelClient }, { createDispatcher }] = await Promise.all([
    import("./tunnel/client.ts"),
    import("./tunnel/dispatch.ts"),
  ]);
  return { TunnelClient, createDispatcher };
}

/** Starts the bridge with a validated config. Throws ConfigError for a bad root. */
export async function startBridge(config: ServeConfig, options: StartBridgeOptions): Promise<RunningBridge> {
  const { log } = options;
  const roots = await resolveRoots([...config.roots]);
  const home = config.codexEnv.HOME;
  const codexHome = config.codexEnv.CODEX_HOME ?? (home ? join(home, ".codex") : undefined);
  const readPaths = await resolveReadPaths(config.codexReadPaths, { home, codexHome });
  try {
    await ensureStateDir(config.stateDir);
  } catch (error) {
    throw new ConfigError(`State folder "${config.stateDir}" cannot be used: ${(error as Error).message}`);
  }
  const oauthKit = config.auth.kind === "oauth" ? await loadOAuth() : undefined;
  const tunnelKit = config.tunnel ? await loadTunnel() : undefined;
  const state = await openDatabase(config.stateDir, { exclusive: true });
  let oauth: OAuthServer | undefined;
  try {
    oauth = config.auth.kind === "oauth"
      ? oauthKit!.createOAuthServer({
        ...config.auth,
        state,
        consent: options.consent ?? ((line) => console.log(line)),
        log,
        fetch: options.oauthFetch,
      })
      : undefined;
  } catch (error) {
    state.close();
    throw error;
  }
  let upstream: CodexUpstream, jobs: JobRegistry, threads: ThreadRegistry;
  try {
    upstream = options.upstream ?? await createUpstream({
      upstream: config.upstream,
      codexPath: config.codexPath,
      env: config.codexEnv,
      log,
      probe: options.codexProbe,
    });
    // Jobs, their request ids and the threads outlive a restart; jobs left running then are now interrupted.
    jobs = new JobRegistry({ maxRunning: config.maxJobs, repository: new SqliteJobRepository(state) });
    threads = new ThreadRegistry({ repository: new SqliteThreadRepository(state) });
  } catch (error) {
    state.close(); // e.g. a newer schema: refused, and the folder's lock released
    throw error;
  }
  let tunnel: TunnelClient | undefined;
  const service = new BridgeService({
    roots,
    upstream,
    jobs,
    threads,
    secrets: new SecretScanner({ patterns: config.secretPatterns }),
    log,
    audit: new AuditLog({ dir: config.stateDir, prompts: config.auditPrompts }),
    policy: {
      allowWrite: config.allowWrite,
      approvalPolicy: config.approvalPolicy,
      fastReturnMs: config.fastReturnMs,
      timeoutMs: config.timeoutMs,
      secretScan: config.secretScan,
      allowUnconfined: config.allowUnconfinedCodex,
      readPaths,
      codexInstall: codexInstallDir(resolveExecutable(config.codexPath, config.codexEnv.PATH) ?? config.codexPath),
      codexHome,
      models: config.models,
      maxReasoningEffort: config.maxReasoningEffort,
    },
    describe: () => ({
      auth: config.auth.kind === "none" ? "none" : config.auth.kind === "oauth" ? "oauth" : "bearer-token",
      ...(tunnel ? { tunnel: tunnel.status() } : {}),
      ...options.describe?.(),
    }),
  });
  // The tools' modules (their zod schemas) load with the first MCP request, which warmUp() makes once the start
  // line is out: ~15 ms less before it.
  let tools: Promise<typeof import("./mcp/server.ts")> | undefined;
  const handler = createHttpHandler({
    serverFactory: async () =>
      (await (tools ??= import("./mcp/server.ts"))).createBridgeServer(service, { allowWrite: config.allowWrite }),
    hostOrigin: createHostOriginGuard({ allowedHosts: config.allowedHosts }),
    auth: config.auth.kind === "oauth"
      ? oauthKit!.createOAuthGuard({
        verifier: oauth!.verifier,
        resourceMetadataUrl: oauth!.documents.resourceMetadataUrl,
        requiredScopes: [oauthKit!.BRIDGE_SCOPE],
      })
      : createAuthGuard(config.auth),
    routes: oauth,
    log,
  });
  const { promise: listening, resolve: onListen } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ port }) => onListen(port),
  }, handler.fetch);
  const port = await listening;
  if (config.tunnel) {
    // The second door: commands from OpenAI's control plane into the same MCP handler, no socket in between.
    tunnel = new tunnelKit!.TunnelClient({
      baseUrl: config.tunnel.controlPlaneUrl,
      tunnelId: config.tunnel.id,
      apiKey: config.tunnel.apiKey,
      dispatch: tunnelKit!.createDispatcher({ mcp: handler.mcp, log }),
      log,
      retry: options.tunnelRetry,
    });
    tunnel.start();
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(config.host)}:${port}/mcp`,
    port,
    roots: roots.map((root) => root.resolved),
    codex: await upstream.info(),
    service,
    tunnel,
    finished: server.finished,
    async warmUp() {
      const response = await handler.mcp(
        new Request("http://warm-up.invalid/mcp", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "tools/list", params: {} }),
        }),
      );
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the in-process tools/list got HTTP ${response.status}`);
    },
    close() {
      closing ??= (async () => {
        // Stop taking tunnel commands first; those in flight get a bounded time to answer.
        await tunnel?.stop(TUNNEL_SHUTDOWN_GRACE_MS);
        await jobs.abortAll("The bridge is shutting down; Codex was interrupted");
        await handler.close();
        await server.shutdown();
        await upstream.close();
        state.close();
      })();
      return closing;
    },
  };
}
