/**
 * codex-gpt-bridge: the only module that touches `Deno.args`, `Deno.env`
 * and `Deno.exit`. Parses the command line, wires the chosen command, and
 * turns configuration errors into one clear line and exit code 2.
 *
 * @module
 */
// No npm package among the static imports: the launcher stage runs before `node_modules` may exist
// (tests/startup/first_start.test.ts); what needs one is imported where it is used.
import {
  CHATGPT_OPTIONS,
  DOCTOR_OPTIONS,
  OAUTH_OPTIONS,
  SECRET_VARIABLES,
  SERVE_OPTIONS,
  SETUP_CODEX_OPTIONS,
} from "./src/config/options.ts";
import { optionHelp } from "./src/config/read_options.ts";
import { ConfigError } from "./src/errors.ts";
import { createLogger, type Logger } from "./src/log.ts";
import type { ServeConfig } from "./src/config/serve_config.ts";
import { describeStoredToken, loadOrCreateToken } from "./src/state/token_file.ts";
import { SERVER_INFO } from "./src/version.ts";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import { isConfined } from "./src/permissions/confined.ts";
import { assertGranted, describeRuntimePermissions } from "./src/permissions/runtime_permissions.ts";
import type { Launch } from "./src/cli/launcher.ts";
import type { LaunchFacts } from "./src/permissions/launch_facts.ts";

// What only the launcher stage needs is imported there (`./src/cli/launcher.ts`, `./src/permissions/relaunch.ts`):
// the confined stages load fewer modules.
const launcher = () => import("./src/cli/launcher.ts");
const relaunching = () => import("./src/permissions/relaunch.ts");

/** The help text; `service`'s part is loaded with it (its module reads serve's options through zod). */
async function usage(): Promise<string> {
  const { SERVICE_USAGE } = await import("./src/cli/service.ts");
  const { SECRET_USAGE } = await import("./src/cli/secret.ts");
  const { OAUTH_USAGE } = await import("./src/config/oauth_cli_config.ts");
  return `codex-gpt-bridge ${SERVER_INFO.version}: let ChatGPT and your local Codex CLI work together, safely.

Usage:
  codex-gpt-bridge serve --root DIR [options]   ChatGPT → Codex: an MCP endpoint over HTTP
  codex-gpt-bridge chatgpt [options]            Codex → ChatGPT: a stdio MCP server with ask_chatgpt
  codex-gpt-bridge secret set|get|delete NAME   secrets in the OS keychain (values on standard input)
  codex-gpt-bridge service install|uninstall|status [serve options]   serve at login
  codex-gpt-bridge setup codex [--remove]       Give every Codex session ask_chatgpt ($CODEX_HOME/config.toml)
  codex-gpt-bridge doctor [serve options] [--json]
                                                Check what serve needs, one line each with the fix; exit 1 on a fail
  ${OAUTH_USAGE}
                                                OAuth grants (serve --auth oauth): list or revoke them
  codex-gpt-bridge --help | --version

serve options (a flag wins over its environment variable):
${optionHelp(SERVE_OPTIONS)}

chatgpt options:
${optionHelp(CHATGPT_OPTIONS)}

secret (macOS: the login keychain via security; Linux: libsecret via secret-tool):
${SECRET_USAGE}

service (Linux: a systemd user unit; macOS: a LaunchAgent):
${SERVICE_USAGE}

setup codex options:
${optionHelp(SETUP_CODEX_OPTIONS)}

doctor options (besides the serve options it checks):
${optionHelp(DOCTOR_OPTIONS)}

oauth options:
${optionHelp(OAUTH_OPTIONS)}
`;
}

const env = (name: string) => Deno.env.get(name);

const ENTRY = import.meta.url;

/** Process memory in MiB, for operators watching `bridge_status`. */
function memoryFigures() {
  const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20 * 10) / 10;
  return { rssMiB: mib(rss), heapUsedMiB: mib(heapUsed), heapTotalMiB: mib(heapTotal), externalMiB: mib(external) };
}

/**
 * A generated token comes from the state folder (written there the first
 * time), so saved client configurations survive restarts. Returns the
 * config holding it and the start line's auth part.
 */
async function withStoredToken(config: ServeConfig, log: Logger): Promise<{ config: ServeConfig; auth: string }> {
  if (config.auth.kind === "none") return { config, auth: "none (loopback only)" };
  if (config.auth.kind === "oauth") {
    // No token file in OAuth mode: each client is approved with a consent code.
    return {
      config,
      auth: `OAuth for ${config.auth.resource} (each client approved with a consent code printed here)`,
    };
  }
  if (!config.auth.generated) {
    return {
      config,
      auth: "bearer token (given by --token, CODEX_GPT_BRIDGE_TOKEN or the keychain's codex-gpt-bridge:token; " +
        "never stored)",
    };
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

/** How the launcher stage ends: run the confined stage (`deno task start`), or print it for the script to exec. */
interface Ending {
  launch: Launch;
  facts?: LaunchFacts;
}

const runEnding = async (): Promise<Ending> => ({ launch: (await launcher()).runConfined(ENTRY) });

async function serve(args: string[], ending?: Ending): Promise<number> {
  // Stage one: work out the narrow permission set, then run stage two under it.
  if (!isConfined()) {
    const { launch, facts } = ending ?? await runEnding();
    return await (await launcher()).launchServe(args, launch, env, facts);
  }
  const { parseServeConfig } = await import("./src/config/serve_config.ts");
  const parsed = parseServeConfig(args, env);
  assertGranted(parsed);
  // `codex --version` (a Node launcher, ~200 ms) runs while the server's modules load.
  const { probeCodex } = await import("./src/upstream/codex_version.ts");
  const codexProbe = probeCodex(parsed.codexPath, parsed.codexEnv);
  const log = createLogger({ level: parsed.logLevel });
  const { config, auth } = await withStoredToken(parsed, log);
  // Loaded only in the confined stage: the launcher stays small and starts fast.
  const { startBridge } = await import("./src/serve.ts");
  const bridge = await startBridge(config, {
    log,
    codexProbe,
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
  // Before the start line: a client that reads it may stop the bridge at once, and must get a clean exit.
  const stop = () => {
    log.info("shutting down");
    bridge.close();
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  const codex = bridge.codex.available
    ? `${bridge.codex.binary} ${bridge.codex.version ?? "(version unknown)"} via ${bridge.codex.protocol}`
    : `unavailable: ${bridge.codex.problem}`;
  const confinement = bridge.codex.confinement.supported
    ? "each turn under a permission profile (its root only, secrets hidden, no network)"
    : config.allowUnconfinedCodex
    ? "NONE: Codex can read the whole disk (--allow-unconfined-codex)"
    : "none possible, Codex tools refuse (see bridge_status)";
  const tunnelState = bridge.tunnel ? await bridge.tunnel.ready(5000) : undefined;
  const tunnel = !tunnelState
    ? "off"
    : `${tunnelState.tunnelId} via ${config.tunnel?.controlPlaneUrl} ${
      tunnelState.connected ? "connected" : tunnelState.state
    }` +
      (tunnelState.lastError ? ` (${tunnelState.lastError})` : "");
  console.log(
    `codex-gpt-bridge listening on ${bridge.url} | roots: ${bridge.roots.join(", ")} | auth: ${auth} | ` +
      `write: ${config.allowWrite ? "allowed (workspace-write)" : "off (read-only)"} | codex: ${codex} | ` +
      `confinement: ${confinement} | tunnel: ${tunnel}`,
  );
  log.info("listening", { url: bridge.url, roots: bridge.roots, codex: bridge.codex });
  bridge.warmUp().catch((error) => log.debug("warm-up failed", { error: (error as Error).message }));
  await bridge.finished;
  await bridge.close();
  return 0;
}

async function chatgpt(args: string[], ending?: Ending): Promise<number> {
  if (!isConfined()) {
    const { launch, facts } = ending ?? await runEnding();
    return await (await launcher()).launchChatgpt(args, launch, env, facts);
  }
  // Loaded only for this command: `serve` never pulls in the openai package.
  const { runChatgpt } = await import("./src/chatgpt/run.ts");
  return await runChatgpt(args, env);
}

async function setup(args: string[]): Promise<number> {
  const [target, ...rest] = args;
  if (target !== "codex") {
    throw new ConfigError(`Unknown setup target ${JSON.stringify(target ?? "")}: the one there is \`setup codex\``);
  }
  const { parseSetupCodexConfig } = await import("./src/config/setup_codex_config.ts");
  const config = parseSetupCodexConfig(rest, env);
  // Re-run with write access to Codex's home folder alone.
  if (!isConfined()) {
    const { relaunch, planSetupCodexLaunch } = await relaunching();
    return await relaunch(ENTRY, "setup", args, await planSetupCodexLaunch(config));
  }
  const { describeSetup, runningProgram, setupCodex } = await import("./src/cli/setup_codex.ts");
  const program = runningProgram(ENTRY);
  for (const line of describeSetup(await setupCodex(config, program), program)) console.log(line);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--version") {
    console.log(SERVER_INFO.version);
    return 0;
  }
  // `./codex-gpt-bridge` asks for the confined command line, then becomes it: no launcher stays alive.
  const facts = command === "--print-launch"
    ? new (await import("./src/permissions/launch_facts.ts")).LaunchFacts(SECRET_VARIABLES)
    : undefined;
  // Before any command loads an npm package (the confined stage runs after its launcher did this).
  if (!isConfined() && !Deno.build.standalone && await (await launcher()).ensurePackages(ENTRY, facts)) {
    // This process resolved `node_modules` before the packages were there: a new launcher can load them.
    const { relaunch, launcherAgain } = await relaunching();
    const code = await relaunch(ENTRY, command ?? "--help", rest, launcherAgain());
    return command === undefined ? 2 : code;
  }
  if (facts) {
    const [sub, ...subArgs] = rest;
    const ending = { launch: (await launcher()).printConfined(ENTRY, env, facts, rest), facts };
    if (sub === "serve" && !subArgs.includes("--help")) return await serve(subArgs, ending);
    if (sub === "chatgpt" && !subArgs.includes("--help")) return await chatgpt(subArgs, ending);
    console.error(`--print-launch plans serve or chatgpt only, without --help; got "${rest.join(" ")}"`);
    return 2;
  }
  if (command === undefined || command === "--help" || command === "-h" || rest.includes("--help")) {
    console.log(await usage());
    return command === undefined ? 2 : 0;
  }
  if (command === "serve") return await serve(rest);
  if (command === "chatgpt") return await chatgpt(rest);
  if ((command === "secret" || command === "service") && Deno.build.standalone) {
    // Its permissions were fixed at compile time for serving: no keychain tool, no service folder.
    console.error(
      `codex-gpt-bridge: the compiled binary only serves; run \`./codex-gpt-bridge ${command} …\` from the checkout`,
    );
    return 2;
  }
  if (command === "secret") {
    // Stage two may run exactly the keychain tool, nothing else.
    if (!isConfined()) {
      const { relaunch, planSecretLaunch } = await relaunching();
      return await relaunch(ENTRY, "secret", rest, planSecretLaunch(Deno.build.os, env));
    }
    const { runSecretCommand } = await import("./src/cli/secret.ts");
    const { openKeychain } = await import("./src/keychain/keychain.ts");
    const { readSecretInput } = await import("./src/cli/secret_input.ts");
    return await runSecretCommand(rest, {
      keychain: openKeychain({ path: env("PATH") }),
      readValue: readSecretInput,
      out: (text) => void Deno.stdout.writeSync(new TextEncoder().encode(text)),
      err: (line) => console.error(`codex-gpt-bridge: ${line}`),
    });
  }
  if (command === "service") {
    // Stage one has no write permission: stage two may write exactly the service file's folders.
    if (!isConfined()) {
      const { relaunch, planServiceLaunch } = await relaunching();
      return await relaunch(ENTRY, "service", rest, planServiceLaunch(Deno.build.os, env));
    }
    const { runServiceCommand } = await import("./src/cli/service.ts");
    const { runCommand } = await import("./src/os/run_command.ts");
    return await runServiceCommand(rest, {
      os: Deno.build.os,
      // The service starts what the owner starts: the checkout's launcher (which runs dist/ when compiled).
      program: fileURLToPath(new URL("./codex-gpt-bridge", ENTRY)),
      denoDir: dirname(Deno.execPath()),
      cwd: Deno.cwd(),
      env,
      uid: Deno.uid(),
      run: runCommand,
      out: (line) => console.log(line),
      err: (line) => console.error(`codex-gpt-bridge: ${line}`),
    });
  }
  if (command === "setup") return await setup(rest);
  if (command === "doctor") {
    const { runDoctor, serveArgsOf } = await import("./src/cli/doctor.ts");
    // What serve would see, keychain included.
    return await runDoctor(rest, (await (await launcher()).keychainEnv(serveArgsOf(rest), env)).env, console.log);
  }
  if (command === "oauth") {
    const config = (await import("./src/config/oauth_cli_config.ts")).parseOAuthCliConfig(rest, env);
    // The launcher only resolves the state folder; the work runs with read/write of that folder alone.
    if (!isConfined()) {
      const { relaunch, planOAuthCliLaunch } = await relaunching();
      return await relaunch(ENTRY, "oauth", rest, await planOAuthCliLaunch(config.stateDir));
    }
    const { runOAuthCli } = await import("./src/cli/oauth.ts");
    return await runOAuthCli(config, (line) => console.log(line));
  }
  console.error(
    `Unknown command "${command}": use serve, chatgpt, setup codex, doctor, secret, service or oauth (see --help)`,
  );
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
