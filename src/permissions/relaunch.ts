/**
 * Two-stage start. The launcher stage (started with broad permissions by
 * `deno task start` or `./codex-gpt-bridge`) resolves what the permission
 * set depends on — the roots' real paths, the Codex binary, a concrete port
 * — then re-runs the same entry under exactly {@linkcode servePermissionFlags}
 * (or the `chatgpt` set) and hands over stdio, signals and the exit code.
 *
 * Whether a process is confined: `confined.ts`.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.ts";
import { MEMORY_FLAGS, memoryEnv } from "./memory_flags.ts";
import { installDirOf } from "../policy/codex_install.ts";
import { type FileProbe, LIVE_PROBE, resolveExecutable } from "./file_probe.ts";
import { type LaunchFacts, shellWord } from "./launch_facts.ts";
import {
  chatgptPermissionFlags,
  launcherPermissionFlags,
  oauthCliPermissionFlags,
  secretPermissionFlags,
  servePermissionFlags,
  servicePermissionFlags,
  setupCodexPermissionFlags,
} from "./permission_flags.ts";
import { keychainToolName } from "../keychain/keychain_tool.ts";
import { serviceFiles } from "../login_service/service_files.ts";
import { OAUTH_OPTIONS, optionVariables } from "../config/options.ts";
import { STATE_DIR_ENV } from "../state/state_dir.ts";
import type { ServeConfig } from "../config/serve_config.ts";
import type { SetupCodexConfig } from "../config/setup_codex_config.ts";

/** Asks the OS for a free port on `host` (released at once for the child to bind). */
export function pickFreePort(host: string): number {
  const listener = Deno.listen({ hostname: host, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The serving process's flags and the arguments that pin what they were computed for. */
export interface ServeLaunch {
  /** Permission flags, then {@linkcode MEMORY_FLAGS}. */
  flags: string[];
  /** Appended to the user's arguments: the last value of a flag wins. */
  pinnedArgs: string[];
  /** Added to the child's environment: the secrets the launcher read from the keychain. @default {} */
  env?: Readonly<Record<string, string>>;
}

/**
 * Computes the confined `serve` launch for a validated config. Every look-up
 * goes through `probe`, so a recording one (`LaunchFacts`) knows what the
 * plan depends on; `facts` is told when the plan cannot be reused at all.
 */
export async function planServeLaunch(
  config: Pick<
    ServeConfig,
    "roots" | "host" | "port" | "codexPath" | "codexReadPaths" | "stateDir" | "auth" | "tunnel"
  >,
  env: (name: string) => string | undefined,
  probe: FileProbe = LIVE_PROBE,
  facts?: Pick<LaunchFacts, "uncacheable">,
): Promise<ServeLaunch> {
  const roots: string[] = [];
  // A root given through a symlink: the serving stage resolves the link itself (a read of the link's path).
  const rootLinks: string[] = [];
  for (const root of config.roots) {
    const real = await probe.realPath(root);
    if (real === undefined) {
      // The precise reason (missing, not allowed) for the error message.
      const reason = await Deno.realPath(root).then(() => "it changed while starting", (error) => error.message);
      throw new ConfigError(`Root "${root}" cannot be used: ${reason}`);
    }
    roots.push(real);
    if (resolve(root) !== real) rootLinks.push(resolve(root));
  }
  // A Codex that cannot be found keeps its name (a grant for nothing that exists): the bridge must
  // still start, and bridge_status says what is missing.
  const codexPath = probe.executable(config.codexPath, env("PATH")) ?? config.codexPath;
  if (config.port === 0) facts?.uncacheable("the port is picked at random");
  const port = config.port === 0 ? pickFreePort(config.host) : config.port;
  // Paths that do not resolve stay as given: the serving stage reports them as a configuration error.
  const readPaths = await Promise.all(
    config.codexReadPaths.map(async (path) => await probe.realPath(path) ?? path),
  );
  const realCodex = await probe.realPath(codexPath);
  const install = realCodex === undefined ? undefined : installDirOf(realCodex);
  // The serving stage creates a missing state folder: only it may write there.
  const stateDir = await probe.realPath(config.stateDir) ?? config.stateDir;
  // The launcher itself too: the serving stage resolves it to find the install folder.
  const alsoRead = [...rootLinks, ...readPaths, ...(install ? [install, codexPath] : [])];
  // OAuth client metadata documents are fetched only from the hosts of the owner's https redirect patterns.
  // Loaded here, not statically: it pulls in an npm package, and the launcher imports this file before those exist.
  const fetchHosts = config.auth.kind === "oauth"
    ? (await import("../oauth/clients.ts")).metadataDocumentHosts(config.auth.redirectPatterns).map((host) =>
      host.includes(":") ? host : `${host}:443`
    )
    : [];
  return {
    flags: [
      ...servePermissionFlags({
        roots,
        alsoRead,
        codexPath,
        host: config.host,
        port,
        stateDir,
        controlPlaneUrl: config.tunnel?.controlPlaneUrl,
        fetchHosts,
      }),
      ...MEMORY_FLAGS,
    ],
    pinnedArgs: ["--codex", codexPath, "--port", String(port), "--state-dir", stateDir],
  };
}

/** Computes the confined `oauth list | revoke` launch: the state folder only. */
export async function planOAuthCliLaunch(stateDir: string): Promise<ServeLaunch> {
  const dir = await Deno.realPath(stateDir).catch(() => stateDir);
  return {
    flags: oauthCliPermissionFlags({ stateDir: dir, env: [...optionVariables(OAUTH_OPTIONS), ...STATE_DIR_ENV] }),
    pinnedArgs: ["--state-dir", dir],
  };
}

/** Computes the confined `chatgpt` launch. */
export function planChatgptLaunch(config: { baseUrl: string }): ServeLaunch {
  return { flags: [...chatgptPermissionFlags({ baseUrl: config.baseUrl }), ...MEMORY_FLAGS], pinnedArgs: [] };
}

/** The confined stage's command line: Deno, its flags, `entry`, the command and the (pinned) arguments. */
export function confinedCommandLine(
  entry: string,
  command: string,
  args: readonly string[],
  launch: ServeLaunch,
): string[] {
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    // The checkout's import map, whatever the working folder (a compiled binary never relaunches).
    "--config",
    fileURLToPath(new URL("deno.json", entry)),
    ...launch.flags,
    entry,
    command,
    ...args,
    ...launch.pinnedArgs,
  ];
}

/**
 * The confined launch as one line of POSIX shell, for `./codex-gpt-bridge`
 * to `eval`: the shell then becomes the confined stage (`exec`), so no
 * launcher stays alive beside it and signals and the exit code are its own.
 */
export function shellExec(commandLine: readonly string[], env: Readonly<Record<string, string>>): string {
  const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellWord(value)}; `).join("");
  return `${exports}exec ${commandLine.map(shellWord).join(" ")}`;
}

/** Computes the confined `service` launch: the service file's folders, the service manager. */
export function planServiceLaunch(os: typeof Deno.build.os, env: (name: string) => string | undefined): ServeLaunch {
  const home = env("HOME");
  if (!home) throw new ConfigError("HOME is not set: the service file lives under the home folder");
  const files = serviceFiles(os, home);
  const manager = resolveExecutable(files.manager, env("PATH"));
  return {
    flags: [...servicePermissionFlags({ writeDirs: files.writeDirs, manager }), ...MEMORY_FLAGS],
    pinnedArgs: [],
  };
}

/** Computes the confined `secret` launch: exactly the keychain tool this PATH finds. */
export function planSecretLaunch(os: typeof Deno.build.os, env: (name: string) => string | undefined): ServeLaunch {
  const name = keychainToolName(os);
  const tool = name === undefined ? undefined : resolveExecutable(name, env("PATH"));
  return { flags: [...secretPermissionFlags({ tool }), ...MEMORY_FLAGS], pinnedArgs: [] };
}

/**
 * Computes the confined `setup codex` launch: it may write Codex's home folder only, and the folder of the real
 * `config.toml` when that is a symlink (the link is kept: the file it points to is replaced).
 */
export async function planSetupCodexLaunch(config: SetupCodexConfig): Promise<ServeLaunch> {
  const real = await Deno.realPath(join(config.codexHome, "config.toml")).catch(() => undefined);
  const configDir = real ? dirname(real) : undefined;
  return {
    flags: [...setupCodexPermissionFlags({ codexHome: config.codexHome, configDir }), ...MEMORY_FLAGS],
    pinnedArgs: ["--codex-home", config.codexHome],
  };
}

/**
 * The launcher stage run again, as it was started: a first start fetched
 * the npm packages after this process began, and Deno resolves
 * `node_modules` once at start, so only a new process can load them.
 */
export function launcherAgain(): ServeLaunch {
  return { flags: [...launcherPermissionFlags(), ...MEMORY_FLAGS], pinnedArgs: [] };
}

/**
 * Runs `entry` again under `flags`, forwarding SIGINT/SIGTERM, and resolves
 * with its exit code.
 */
export async function relaunch(
  entry: string,
  command: string,
  args: readonly string[],
  launch: ServeLaunch,
): Promise<number> {
  const [program, ...programArgs] = confinedCommandLine(entry, command, args, launch);
  const child = new Deno.Command(program, {
    args: programArgs,
    env: { ...memoryEnv((name) => Deno.env.get(name)), ...launch.env },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  const status = await child.status;
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  return status.code;
}
