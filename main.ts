/**
 * codex-gpt-bridge: the only module that touches `Deno.args`, `Deno.env`
 * and `Deno.exit`. Parses the command line, wires the chosen command, and
 * turns configuration errors into one clear line and exit code 2.
 *
 * @module
 */
// No npm package among the static imports: the launcher stage runs before `node_modules` may exist.
import { CHATGPT_OPTIONS, SERVE_OPTIONS } from "./src/config/options.ts";
import { optionHelp } from "./src/config/read_options.ts";
import { ConfigError } from "./src/errors.ts";
import { createLogger, type Logger } from "./src/log.ts";
import type { ServeConfig } from "./src/config/serve_config.ts";
import { describeStoredToken, loadOrCreateToken } from "./src/state/token_file.ts";
import { SERVER_INFO } from "./src/version.ts";
import { fileURLToPath } from "node:url";
import {
  confinedCommandLine,
  isConfined,
  planChatgptLaunch,
  planServeLaunch,
  relaunch,
  type ServeLaunch,
  shellExec,
} from "./src/permissions/relaunch.ts";
import { memoryEnv } from "./src/permissions/memory_flags.ts";
import { assertGranted, describeRuntimePermissions } from "./src/permissions/runtime_permissions.ts";
import { readChatgptBaseUrl, readServeLaunchInput } from "./src/permissions/launch_input.ts";
import { fetchingMessage, installPackages, missingPackages } from "./src/startup/dependencies.ts";

const USAGE = `codex-gpt-bridge ${SERVER_INFO.version}: let ChatGPT and your local Codex CLI work together, safely.

Usage:
  codex-gpt-bridge serve --root DIR [options]   ChatGPT → Codex: an MCP endpoint over HTTP
  codex-gpt-bridge chatgpt [options]            Codex → ChatGPT: a stdio MCP server with ask_chatgpt
  codex-gpt-bridge --help | --version

serve options (a flag wins over its environment variable):
${optionHelp(SERVE_OPTIONS)}

chatgpt options:
${optionHelp(CHATGPT_OPTIONS)}
`;

const env = (name: string) => Deno.env.get(name);

const ENTRY = import.meta.url;

/** Process memory in MiB, for operators watching `bridge_status`. */
function memoryFigures() {
  const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20 * 10) / 10;
  return { rssMiB: mib(rss), heapUsedMiB: mib(heapUsed), heapTotalMiB: mib(heapTotal), externalMiB: mib(external) };
}

/** A first start: the npm packages are fetched once, announced in one line. */
async function ensurePackages(): Promise<void> {
  const projectDir = fileURLToPath(new URL(".", ENTRY)).replace(/\/$/, "");
  if ((await missingPackages(projectDir)).length === 0) return;
  createLogger().info(fetchingMessage(projectDir));
  try {
    await installPackages(projectDir);
  } catch (error) {
    // One line, as for a bad option: the network or the registry is the usual cause.
    throw new ConfigError(`Could not fetch the npm packages: ${(error as Error).message}`);
  }
}

/**
 * A generated token comes from the state folder (written there the first
 * time), so saved client configurations survive restarts. Returns the
 * config holding it and the start line's auth part.
 */
async function withStoredToken(config: ServeConfig, log: Logger): Promise<{ config: ServeConfig; auth: string }> {
  if (config.auth.kind === "none") return { config, auth: "none (loopback only)" };
  if (!config.auth.generated) {
    return { config, auth: "bearer token (given by --token or CODEX_GPT_BRIDGE_TOKEN; never stored)" };
  }
  let stored;
  try {
    stored = await loadOrCreateToken(config.stateDir, { rotate: config.rotateToken, fresh: config.auth.token });
  } catch (error) {
    throw new ConfigError(`State folder "${config.stateDir}" cannot keep the token: ${(error as Error).message}`);
  }
  if (stored.outcome === "replaced") log.warn("stored token replaced", { reason: stored.reason, file: stored.path });
  const auth = Object.freeze({ ...config.auth, token: stored.token, file: stored.path });
  return { config: Object.freeze({ ...config, auth }), auth: `bearer token (${describeStoredToken(stored)})` };
}

/** What the launcher stage does with its plan: run the confined stage, or print it for the shell launcher to exec. */
type Launch = (command: string, args: string[], launch: ServeLaunch) => Promise<number>;

const runConfined: Launch = (command, args, launch) => relaunch(ENTRY, command, args, launch);

const printConfined: Launch = (command, args, launch) => {
  console.log(shellExec(confinedCommandLine(ENTRY, command, args, launch), memoryEnv(env)));
  return Promise.resolve(0);
};

async function serve(args: string[], launch: Launch = runConfined): Promise<number> {
  // Stage one: work out the narrow permission set, then run stage two under it.
  if (!isConfined()) {
    await ensurePackages();
    // The full parse (zod) only when the quick read cannot plan: it throws the precise error.
    const input = readServeLaunchInput(args, env) ??
      (await import("./src/config/serve_config.ts")).parseServeConfig(args, env);
    return await launch("serve", args, await planServeLaunch(input, env));
  }
  const { parseServeConfig } = await import("./src/config/serve_config.ts");
  const parsed = parseServeConfig(args, env);
  assertGranted(parsed);
  const log = createLogger({ level: parsed.logLevel });
  const { config, auth } = await withStoredToken(parsed, log);
  // Loaded only in the confined stage: the launcher stays small and starts fast.
  const { startBridge } = await import("./src/serve.ts");
  const bridge = await startBridge(config, {
    log,
    describe: () => ({
      memory: memoryFigures(),
      runtimePermissions: describeRuntimePermissions({
        roots: bridge.roots,
        codexPath: config.codexPath,
        host: config.host,
        port: bridge.port,
        home: env("HOME"),
      }),
    }),
  });
  const codex = bridge.codex.available
    ? `${bridge.codex.binary} ${bridge.codex.version ?? "(version unknown)"} via ${bridge.codex.protocol}`
    : `unavailable: ${bridge.codex.problem}`;
  const confinement = bridge.codex.confinement.supported
    ? "each turn under a permission profile (its root only, secrets hidden, no network)"
    : config.allowUnconfinedCodex
    ? "NONE: Codex can read the whole disk (--allow-unconfined-codex)"
    : "none possible, Codex tools refuse (see bridge_status)";
  console.log(
    `codex-gpt-bridge listening on ${bridge.url} | roots: ${bridge.roots.join(", ")} | auth: ${auth} | ` +
      `write: ${config.allowWrite ? "allowed (workspace-write)" : "off (read-only)"} | codex: ${codex} | ` +
      `confinement: ${confinement}`,
  );
  log.info("listening", { url: bridge.url, roots: bridge.roots, codex: bridge.codex });
  const stop = () => {
    log.info("shutting down");
    bridge.close();
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await bridge.finished;
  await bridge.close();
  return 0;
}

async function chatgpt(args: string[], launch: Launch = runConfined): Promise<number> {
  if (!isConfined()) {
    await ensurePackages();
    const baseUrl = readChatgptBaseUrl(args, env) ??
      (await import("./src/config/chatgpt_config.ts")).parseChatgptConfig(args, env).baseUrl;
    return await launch("chatgpt", args, planChatgptLaunch({ baseUrl }));
  }
  // Loaded only for this command: `serve` never pulls in the openai package.
  const { runChatgpt } = await import("./src/chatgpt/run.ts");
  return await runChatgpt(args, env);
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--print-launch") {
    // `./codex-gpt-bridge` asks for the confined command line, then becomes it: no launcher stays alive.
    const [sub, ...subArgs] = rest;
    if (sub === "serve" && !subArgs.includes("--help")) return await serve(subArgs, printConfined);
    if (sub === "chatgpt" && !subArgs.includes("--help")) return await chatgpt(subArgs, printConfined);
    console.error(`--print-launch plans serve or chatgpt only, without --help; got "${rest.join(" ")}"`);
    return 2;
  }
  if (command === undefined || command === "--help" || command === "-h" || rest.includes("--help")) {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version") {
    console.log(SERVER_INFO.version);
    return 0;
  }
  if (command === "serve") return await serve(rest);
  if (command === "chatgpt") return await chatgpt(rest);
  console.error(`Unknown command "${command}": use serve or chatgpt (see --help)`);
  return 2;
}

try {
  Deno.exit(await main(Deno.args));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`codex-gpt-bridge: ${error.message}`);
    Deno.exit(2);
  }
  throw error;
}
