/**
 * codex-gpt-bridge: the only module that touches `Deno.args`, `Deno.env`
 * and `Deno.exit`. Parses the command line, wires the chosen command, and
 * turns configuration errors into one clear line and exit code 2.
 *
 * @module
 */
import { parseServeConfig } from "./src/config/serve_config.ts";
import { CHATGPT_OPTIONS, OAUTH_OPTIONS, SERVE_OPTIONS } from "./src/config/options.ts";
import { optionHelp } from "./src/config/read_options.ts";
import { ConfigError } from "./src/errors.ts";
import { createLogger } from "./src/log.ts";
import { SERVER_INFO } from "./src/version.ts";
import {
  isConfined,
  planChatgptLaunch,
  planOAuthCliLaunch,
  planServeLaunch,
  relaunch,
} from "./src/permissions/relaunch.ts";
import { OAUTH_USAGE, parseOAuthCliConfig } from "./src/config/oauth_cli_config.ts";
import { assertGranted, describeRuntimePermissions } from "./src/permissions/runtime_permissions.ts";
import { parseChatgptConfig } from "./src/config/chatgpt_config.ts";

const USAGE = `codex-gpt-bridge ${SERVER_INFO.version}: let ChatGPT and your local Codex CLI work together, safely.

Usage:
  codex-gpt-bridge serve --root DIR [options]   ChatGPT → Codex: an MCP endpoint over HTTP
  codex-gpt-bridge chatgpt [options]            Codex → ChatGPT: a stdio MCP server with ask_chatgpt
  ${OAUTH_USAGE}
                                                OAuth grants (serve --auth oauth): list or revoke them
  codex-gpt-bridge --help | --version

serve options (a flag wins over its environment variable):
${optionHelp(SERVE_OPTIONS)}

chatgpt options:
${optionHelp(CHATGPT_OPTIONS)}

oauth options:
${optionHelp(OAUTH_OPTIONS)}
`;

const env = (name: string) => Deno.env.get(name);

const ENTRY = import.meta.url;

/** Process memory in MiB, for operators watching `bridge_status`. */
function memoryFigures() {
  const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20 * 10) / 10;
  return { rssMiB: mib(rss), heapUsedMiB: mib(heapUsed), heapTotalMiB: mib(heapTotal), externalMiB: mib(external) };
}

async function serve(args: string[]): Promise<number> {
  const config = parseServeConfig(args, env);
  // Stage one: work out the narrow permission set, then run stage two under it.
  if (!isConfined()) return await relaunch(ENTRY, "serve", args, await planServeLaunch(config, env));
  assertGranted(config);
  // Loaded only in the confined stage: the launcher stays small and starts fast.
  const { startBridge } = await import("./src/serve.ts");
  const log = createLogger({ level: config.logLevel });
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
  const auth = config.auth.kind === "none"
    ? "none (loopback only)"
    : config.auth.kind === "oauth"
    ? `OAuth for ${config.auth.resource} (each client approved with a consent code printed here)`
    : config.auth.generated
    ? `bearer token (generated for this run; send "Authorization: Bearer ${config.auth.token}")`
    : "bearer token (from --token)";
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

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || rest.includes("--help")) {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version") {
    console.log(SERVER_INFO.version);
    return 0;
  }
  if (command === "serve") return await serve(rest);
  if (command === "chatgpt") {
    // Loaded only for this command: `serve` never pulls in the openai package.
    if (!isConfined()) return await relaunch(ENTRY, "chatgpt", rest, planChatgptLaunch(parseChatgptConfig(rest, env)));
    const { runChatgpt } = await import("./src/chatgpt/run.ts");
    return await runChatgpt(rest, env);
  }
  if (command === "oauth") {
    const config = parseOAuthCliConfig(rest, env);
    // The launcher only resolves the state folder; the work runs with read/write of that folder alone.
    if (!isConfined()) return await relaunch(ENTRY, "oauth", rest, await planOAuthCliLaunch(config.stateDir));
    const { runOAuthCli } = await import("./src/cli/oauth.ts");
    return await runOAuthCli(config, (line) => console.log(line));
  }
  console.error(`Unknown command "${command}": use serve, chatgpt or oauth (see --help)`);
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
