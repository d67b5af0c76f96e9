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
import { createBridgeServer } from "./mcp/server.ts";
import { resolveRoots } from "./policy/roots.ts";
import { resolveReadPaths } from "./policy/read_paths.ts";
import { codexInstallDir } from "./policy/codex_install.ts";
import { SecretScanner } from "./policy/secrets.ts";
import { resolveExecutable } from "./permissions/relaunch.ts";
import { BridgeService } from "./service/bridge_service.ts";
import { createUpstream } from "./upstream/mod.ts";
import { ensureStateDir } from "./state/state_dir.ts";
import { openDatabase } from "./state/database.ts";
import { AuditLog } from "./audit/audit_log.ts";
import { SqliteJobRepository } from "./state/job_repository.ts";
import { SqliteThreadRepository } from "./state/thread_repository.ts";
import { ConfigError } from "./errors.ts";
import type { CodexUpstream, UpstreamInfo } from "./upstream/types.ts";

/** Options for {@linkcode startBridge}. */
export interface StartBridgeOptions {
  log: Logger;
  /** Use this upstream instead of launching Codex (tests, benchmarks). */
  upstream?: CodexUpstream;
  /** Extra facts for `bridge_status` (e.g. runtime permissions). */
  describe?: () => Record<string, unknown>;
}

/** A running bridge. */
export interface RunningBridge {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8765/mcp`. */
  url: string;
  port: number;
  roots: readonly string[];
  codex: UpstreamInfo;
  service: BridgeService;
  /** Stops serving, interrupts running jobs, stops Codex. */
  close(): Promise<void>;
  /** Settles when the HTTP server has stopped. */
  finished: Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Starts the bridge with a validated config. Throws ConfigError for a bad root. */
export async function startBridge(config: ServeConfig, options: StartBridgeOptions): Promise<RunningBridge> {
  const { log } = options;
  const roots = await resolveRoots([...config.roots]);
  try {
    await ensureStateDir(config.stateDir);
  } catch (error) {
    throw new ConfigError(`State folder "${config.stateDir}" cannot be used: ${(error as Error).message}`);
  }
  const home = config.codexEnv.HOME;
  const codexHome = config.codexEnv.CODEX_HOME ?? (home ? join(home, ".codex") : undefined);
  const readPaths = await resolveReadPaths(config.codexReadPaths, { home, codexHome });
  const upstream = options.upstream ?? await createUpstream({
    upstream: config.upstream,
    codexPath: config.codexPath,
    env: config.codexEnv,
    log,
  });
  const state = await openDatabase(config.stateDir, { exclusive: true });
  // Jobs, their request ids and the threads outlive a restart; jobs left running then are now interrupted.
  let jobs: JobRegistry, threads: ThreadRegistry;
  try {
    jobs = new JobRegistry({ maxRunning: config.maxJobs, repository: new SqliteJobRepository(state) });
    threads = new ThreadRegistry({ repository: new SqliteThreadRepository(state) });
  } catch (error) {
    state.close(); // a newer schema: refused, and the folder's lock released
    throw error;
  }
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
    describe: () => ({ auth: config.auth.kind === "none" ? "none" : "bearer-token", ...options.describe?.() }),
  });
  const handler = createHttpHandler({
    serverFactory: () => createBridgeServer(service, { allowWrite: config.allowWrite }),
    hostOrigin: createHostOriginGuard({ allowedHosts: config.allowedHosts }),
    auth: createAuthGuard(config.auth),
    log,
  });
  const { promise: listening, resolve: onListen } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ port }) => onListen(port),
  }, handler.fetch);
  const port = await listening;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(config.host)}:${port}/mcp`,
    port,
    roots: roots.map((root) => root.resolved),
    codex: await upstream.info(),
    service,
    finished: server.finished,
    close() {
      closing ??= (async () => {
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
