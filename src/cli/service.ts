/**
 * `codex-gpt-bridge service install|uninstall|status [serve flags]`: the
 * bridge as a service that starts at login — a systemd user unit on Linux,
 * a LaunchAgent on macOS. Files come from the pure renderers in
 * src/login_service/; this module writes them and asks systemctl/launchctl
 * to load them, or says what to run when the tool is missing.
 *
 * @module
 */
import { dirname } from "node:path";
import { ConfigError } from "../errors.ts";
import type { CommandRunner } from "../os/run_command.ts";
import { resolveExecutable } from "../permissions/file_probe.ts";
import { launchAgentLogDir, renderLaunchAgent } from "../login_service/launch_agent.ts";
import { serviceArgs } from "../login_service/service_args.ts";
import { SERVICE_NAME, type ServiceSpec } from "../login_service/service_spec.ts";
import { serviceFiles } from "../login_service/service_files.ts";
import { renderSystemdUnit } from "../login_service/systemd_unit.ts";

/** What `service` talks to; main.ts passes the real ones, tests their own. */
export interface ServiceCommandIo {
  os: typeof Deno.build.os;
  /** Absolute path of the program the service runs. */
  program: string;
  /** The folder of the Deno that runs the launcher (added to the service's PATH). */
  denoDir: string;
  cwd: string;
  env: (name: string) => string | undefined;
  /** The owner's uid (launchctl's `gui/<uid>` domain). */
  uid: number | null;
  run: CommandRunner;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `--help` text of the command. */
export const SERVICE_USAGE =
  `  codex-gpt-bridge service install [serve options]   start serve at login (systemd user unit | LaunchAgent)
  codex-gpt-bridge service uninstall                  stop it and remove the file
  codex-gpt-bridge service status                     is it installed, enabled, running
  The file holds no secret: --token is refused; store secrets with \`secret set\`, read at each start.`;

interface Platform {
  file: string;
  /** Manager tool name and the commands that load / unload the file. */
  tool: string;
  render(spec: ServiceSpec): string;
  load: string[][];
  /** Run after `load` when an installed file changed (a running service keeps its old flags otherwise). */
  reload: string[][];
  unload: string[][];
  status: string[][];
}

function platform(io: ServiceCommandIo, home: string): Platform {
  const { file } = serviceFiles(io.os, home);
  if (io.os === "darwin") {
    const domain = `gui/${io.uid ?? "$(id -u)"}`;
    return {
      file,
      tool: "launchctl",
      render: renderLaunchAgent,
      // bootout first: bootstrap refuses a label that is already loaded.
      load: [["bootout", `${domain}/${SERVICE_NAME}`], ["bootstrap", domain, file]],
      reload: [],
      unload: [["bootout", `${domain}/${SERVICE_NAME}`]],
      status: [["print", `${domain}/${SERVICE_NAME}`]],
    };
  }
  const unit = `${SERVICE_NAME}.service`;
  return {
    file,
    tool: "systemctl",
    render: renderSystemdUnit,
    load: [["--user", "daemon-reload"], ["--user", "enable", "--now", unit]],
    reload: [["--user", "restart", unit]],
    unload: [["--user", "disable", "--now", unit]],
    status: [["--user", "is-enabled", unit], ["--user", "is-active", unit]],
  };
}

const shellLine = (tool: string, commands: string[][]) =>
  commands.map((args) => [tool, ...args].join(" ")).join(" && ");

async function readText(file: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Runs `service …` and returns the exit code: 0 done, 1 the manager failed, 2 bad usage, 3 not installed (status). */
export async function runServiceCommand(args: readonly string[], io: ServiceCommandIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "install" && action !== "uninstall" && action !== "status") {
    io.err(`Unknown service action ${JSON.stringify(action ?? "")}: use install, uninstall or status (see --help)`);
    return 2;
  }
  if (action !== "install" && rest.length > 0) {
    io.err(`service ${action} takes no options (serve options go to service install)`);
    return 2;
  }
  const home = io.env("HOME");
  if (!home) throw new ConfigError("HOME is not set: the service file lives under the home folder");
  const target = platform(io, home);
  const manager = resolveExecutable(target.tool, io.env("PATH"));
  const runAll = async (commands: string[][], tolerate: (index: number) => boolean) => {
    for (const [index, commandArgs] of commands.entries()) {
      const result = await io.run(manager!, commandArgs, { timeoutMs: 60_000 });
      if (result.code !== 0 && !tolerate(index)) {
        const said = (result.stderr || result.stdout).trim().split("\n")[0] ?? "";
        return `${[target.tool, ...commandArgs].join(" ")} failed (exit ${result.code}${said ? `: ${said}` : ""})`;
      }
    }
    return undefined;
  };

  if (action === "install") {
    const spec: ServiceSpec = {
      program: io.program,
      args: serviceArgs(rest, { cwd: io.cwd, env: io.env }),
      path: servicePath(io.env("PATH"), io.denoDir),
      home,
    };
    const text = target.render(spec);
    const before = await readText(target.file);
    await Deno.mkdir(dirname(target.file), { recursive: true });
    if (io.os === "darwin") await Deno.mkdir(launchAgentLogDir(home), { recursive: true });
    if (before !== text) await Deno.writeTextFile(target.file, text, { mode: 0o644 });
    io.out(`${before === undefined ? "Wrote" : before === text ? "Unchanged:" : "Updated"} ${target.file}`);
    if (!manager) {
      io.out(
        `${target.tool} was not found on PATH; to start it now and at each login run: ` +
          shellLine(target.tool, target.load.slice(io.os === "darwin" ? 1 : 0)),
      );
      return 0;
    }
    // On macOS the first bootout fails when nothing was loaded yet: that is fine.
    const changed = before !== undefined && before !== text;
    const failure = await runAll(target.load, (index) => io.os === "darwin" && index === 0) ??
      (changed ? await runAll(target.reload, () => false) : undefined);
    if (failure) {
      io.err(`${failure}; the file is in place, run: ${shellLine(target.tool, target.load)}`);
      return 1;
    }
    io.out(`Started ${SERVICE_NAME}; it starts at each login (${shellLine(target.tool, target.status)} to check)`);
    return 0;
  }

  if (action === "uninstall") {
    const before = await readText(target.file);
    if (before === undefined) {
      io.out(`Not installed: ${target.file} does not exist`);
      return 0;
    }
    // Unloading something not loaded is not an error worth stopping for: the file goes either way.
    if (manager) await runAll(target.unload, () => true);
    await Deno.remove(target.file);
    if (manager && io.os === "linux") await runAll([["--user", "daemon-reload"]], () => true);
    io.out(`Removed ${target.file}${manager ? "" : ` (${target.tool} not found: nothing was stopped)`}`);
    return 0;
  }

  const text = await readText(target.file);
  if (text === undefined) {
    io.out(`Not installed (${target.file} does not exist)`);
    return 3;
  }
  io.out(`Installed: ${target.file}`);
  const command = text.split("\n").find((line) => line.startsWith("ExecStart="));
  if (command) io.out(command);
  if (!manager) {
    io.out(`${target.tool} was not found on PATH: cannot tell whether it runs`);
    return 0;
  }
  for (const commandArgs of target.status) {
    const result = await io.run(manager, commandArgs, { timeoutMs: 30_000 });
    const answer = io.os === "darwin"
      ? (result.code === 0 ? stateLine(result.stdout) : "not loaded")
      : result.stdout.trim() || `exit ${result.code}`;
    io.out(`${[target.tool, ...commandArgs].join(" ")}: ${answer}`);
  }
  return 0;
}

function stateLine(printed: string): string {
  return printed.split("\n").map((line) => line.trim()).find((line) => line.startsWith("state =")) ?? "loaded";
}

/** The installer's PATH plus the Deno that runs the launcher, deduplicated. */
export function servicePath(path: string | undefined, denoDir: string): string {
  const parts = (path ?? "/usr/local/bin:/usr/bin:/bin").split(":").filter(Boolean);
  return [...new Set([...parts, denoDir])].join(":");
}
