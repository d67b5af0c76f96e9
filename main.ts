/**
 * codex-gpt-bridge: the only module that touches `Deno.args`, `Deno.env`
 * and `Deno.exit`. Parses the command line, wires the chosen command, and
 * turns configuration errors into one clear line and exit code 2.
 *
 * @module
 */
import { parseServeConfig, type ServeConfig } from "./src/config/serve_config.ts";
import {
  CHATGPT_OPTIONS,
  DOCTOR_OPTIONS,
  OAUTH_OPTIONS,
  SERVE_OPTIONS,
  SETUP_CODEX_OPTIONS,
} from "./src/config/options.ts";
import { optionHelp, readOptions } from "./src/config/read_options.ts";
import { ConfigError } from "./src/errors.ts";
import { createLogger } from "./src/log.ts";
import { SERVER_INFO } from "./src/version.ts";
import {
  isConfined,
  planChatgptLaunch,
  planOAuthCliLaunch,
  planSecretLaunch,
  planServeLaunch,
  planServiceLaunch,
  planSetupCodexLaunch,
  relaunch,
} from "./src/permissions/relaunch.ts";
import { OAUTH_USAGE, parseOAuthCliConfig } from "./src/config/oauth_cli_config.ts";
import { assertGranted, describeRuntimePermissions } from "./src/permissions/runtime_permissions.ts";
import { parseChatgptConfig } from "./src/config/chatgpt_config.ts";
import { openKeychain } from "./src/keychain/keychain.ts";
import { launchSecrets } from "./src/keychain/launch_secrets.ts";
import { SECRET_USAGE } from "./src/cli/secret.ts";
import { SERVICE_USAGE } from "./src/cli/service.ts";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import { parseSetupCodexConfig } from "./src/config/setup_codex_config.ts";

const USAGE = `codex-gpt-bridge ${SERVER_INFO.version}: let ChatGPT and your local Codex CLI work together, safely.

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

const env = (name: string) => Deno.env.get(name);

const ENTRY = import.meta.url;

/** Process memory in MiB, for operators watching `bridge_status`. */
function memoryFigures() {
  const { rss, heapUsed, heapTotal, external } = Deno.memoryUsage();
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20 * 10) / 10;
  return { rssMiB: mib(rss), heapUsedMiB: mib(heapUsed), heapTotalMiB: mib(heapTotal), externalMiB: mib(external) };
}

/**
 * The environment `serve args` sees in its launcher stage: the variables, and
 * the secrets from the keychain that fill unset ones (`filled`, handed to the
 * confined child). What to look up is decided from the raw options: the
 * tunnel's key must be known before the config can be validated.
 */
async function keychainEnv(args: string[]): Promise<{ env: typeof env; filled: Record<string, string> }> {
  const raw = readOptions(SERVE_OPTIONS, args, env);
  const given = (key: keyof typeof raw) => raw[key] !== undefined && raw[key]?.value !== false;
  const filled = given("noKeychain") ? {} : await launchSecrets({
    tunnelId: raw.tunnelId?.value as string | undefined,
    needsToken: !given("token") && !given("noAuth") && (raw.authMode?.value ?? "bearer") === "bearer",
    env,
    keychain: openKeychain({ path: env("PATH") }),
    warn: (line) => console.error(`codex-gpt-bridge: ${line}`),
  });
  // A variable that is set always wins; the keychain only fills gaps.
  return { env: (name: string) => env(name) ?? filled[name], filled };
}

/** Launcher stage: secrets from the keychain, the one validated parse, then stage two under its narrow set. */
async function launchServe(args: string[]): Promise<number> {
  const { env: withKeychain, filled } = await keychainEnv(args);
  let config: ServeConfig;
  try {
    config = parseServeConfig(args, withKeychain);
  } catch (error) {
    if (!(error instanceof ConfigError) || Object.keys(filled).length === 0) throw error;
    throw new ConfigError(`${error.message}; if it came from the keychain, store a new one with \`secret set\``);
  }
  return await relaunch(ENTRY, "serve", args, { ...await planServeLaunch(config, withKeychain), env: filled });
}

async function serve(args: string[]): Promise<number> {
  if (!isConfined()) return await launchServe(args);
  const config = parseServeConfig(args, env);
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

async function setup(args: string[]): Promise<number> {
  const [target, ...rest] = args;
  if (target !== "codex") {
    throw new ConfigError(`Unknown setup target ${JSON.stringify(target ?? "")}: the one there is \`setup codex\``);
  }
  const config = parseSetupCodexConfig(rest, env);
  // Re-run with write access to Codex's home folder alone.
  if (!isConfined()) return await relaunch(ENTRY, "setup", args, await planSetupCodexLaunch(config));
  const { describeSetup, runningProgram, setupCodex } = await import("./src/cli/setup_codex.ts");
  const program = runningProgram(ENTRY);
  for (const line of describeSetup(await setupCodex(config, program), program)) console.log(line);
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
  if ((command === "secret" || command === "service") && Deno.build.standalone) {
    // Its permissions were fixed at compile time for serving: no keychain tool, no service folder.
    console.error(
      `codex-gpt-bridge: the compiled binary only serves; run \`./codex-gpt-bridge ${command} …\` from the checkout`,
    );
    return 2;
  }
  if (command === "secret") {
    // Stage two may run exactly the keychain tool, nothing else.
    if (!isConfined()) return await relaunch(ENTRY, "secret", rest, planSecretLaunch(Deno.build.os, env));
    const { runSecretCommand } = await import("./src/cli/secret.ts");
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
    if (!isConfined()) return await relaunch(ENTRY, "service", rest, planServiceLaunch(Deno.build.os, env));
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
    return await runDoctor(rest, (await keychainEnv(serveArgsOf(rest))).env, console.log);
  }
  if (command === "oauth") {
    const config = parseOAuthCliConfig(rest, env);
    // The launcher only resolves the state folder; the work runs with read/write of that folder alone.
    if (!isConfined()) return await relaunch(ENTRY, "oauth", rest, await planOAuthCliLaunch(config.stateDir));
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
