/**
 * Generic secrets in the OS keychain, through the OS's own command-line
 * tool: `security` on macOS (the login keychain), `secret-tool` on Linux
 * (libsecret: GNOME Keyring, KWallet's Secret Service, KeePassXC).
 *
 * A value never appears in any process's argv (where `ps` shows it):
 * - libsecret: `secret-tool store` reads the value from standard input.
 * - macOS: `security add-generic-password -w VALUE` would put it in argv, and
 *   a bare `-w` (prompt) reads from the terminal when there is one, not from
 *   a pipe. So the bridge runs `security -i`, which reads commands from its
 *   standard input, and sends it the `add-generic-password` line there; the
 *   value is then read back with `find-generic-password -w` to confirm it
 *   was kept. Values are restricted to letters, digits and `-_.~+/=:@`
 *   (secret_names.ts), so that line needs no quoting beyond "…".
 *
 * @module
 */
import { resolveExecutable } from "../permissions/file_probe.ts";
import { type CommandResult, type CommandRunner, runCommand } from "../os/run_command.ts";
import { keychainToolName } from "./keychain_tool.ts";

/** The keychain tool is missing or failed; the message says what to do. */
export class KeychainError extends Error {
  override name = "KeychainError";
}

/** Read, write and delete generic secrets by name. */
export interface Keychain {
  /** The tool used, e.g. `secret-tool (libsecret)`. */
  readonly tool: string;
  /** Whether the tool exists on this machine. */
  readonly available: boolean;
  /** The stored value, or undefined when nothing is stored. Throws {@linkcode KeychainError}. */
  get(name: string): Promise<string | undefined>;
  /** Stores (or replaces) a value. Throws {@linkcode KeychainError}. */
  set(name: string, value: string): Promise<void>;
  /** Deletes a value; false when nothing was stored. Throws {@linkcode KeychainError}. */
  delete(name: string): Promise<boolean>;
}

/** Options for {@linkcode openKeychain}. */
export interface KeychainOptions {
  /** @default Deno.build.os */
  os?: typeof Deno.build.os;
  /** PATH to find the tool on. */
  path: string | undefined;
  /** @default runCommand */
  run?: CommandRunner;
  /** Longest one tool call may take (a locked keyring may be asking for its password). @default 30000 */
  timeoutMs?: number;
}

/** The service attribute (libsecret) and account (macOS) of every item. */
export const KEYCHAIN_SERVICE = "codex-gpt-bridge";

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.replace(/^secret-tool:\s*/, "").trim() ?? "";
}

// Tools print the value followed by a newline.
function withoutNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

interface Backend {
  tool: string;
  binary: string;
  install: string;
  get(run: (args: string[], stdin?: string) => Promise<CommandResult>, name: string): Promise<string | undefined>;
  set(run: (args: string[], stdin?: string) => Promise<CommandResult>, name: string, value: string): Promise<void>;
  delete(run: (args: string[], stdin?: string) => Promise<CommandResult>, name: string): Promise<boolean>;
}

function failed(tool: string, action: string, result: CommandResult, timeoutMs: number): KeychainError {
  if (result.code === null) {
    return new KeychainError(
      `${tool} did not answer within ${timeoutMs / 1000} s while trying to ${action} (is the keyring locked, ` +
        `or its service not running?)`,
    );
  }
  const said = firstLine(result.stderr) || firstLine(result.stdout);
  return new KeychainError(`${tool} could not ${action} (exit ${result.code}${said ? `: ${said}` : ""})`);
}

function libsecret(timeoutMs: number): Backend {
  const tool = "secret-tool (libsecret)";
  const attributes = (name: string) => ["service", KEYCHAIN_SERVICE, "name", name];
  const backend: Backend = {
    tool,
    binary: "secret-tool",
    install: "install libsecret's tool (Debian/Ubuntu: apt-get install libsecret-tools; Fedora: dnf install libsecret)",
    async get(run, name) {
      const result = await run(["lookup", ...attributes(name)]);
      if (result.code === 0) return withoutNewline(result.stdout);
      // Nothing stored: exit 1 and nothing said. Anything said is a real failure (no D-Bus, locked, …).
      if (result.code === 1 && result.stderr.trim() === "") return undefined;
      throw failed(tool, `read ${name}`, result, timeoutMs);
    },
    async set(run, name, value) {
      const result = await run(["store", `--label=${name}`, ...attributes(name)], value);
      if (result.code !== 0) throw failed(tool, `store ${name}`, result, timeoutMs);
    },
    async delete(run, name) {
      // `clear` succeeds whether or not anything matched: look first to say which.
      const existed = await backend.get(run, name) !== undefined;
      const result = await run(["clear", ...attributes(name)]);
      if (result.code !== 0) throw failed(tool, `delete ${name}`, result, timeoutMs);
      return existed;
    },
  };
  return backend;
}

// `security` exits 44 (errSecItemNotFound) when no item matches.
const NOT_FOUND = 44;

function macKeychain(timeoutMs: number): Backend {
  const tool = "security (macOS keychain)";
  const backend: Backend = {
    tool,
    binary: "security",
    install: "it ships with macOS in /usr/bin; make sure /usr/bin is on PATH",
    async get(run, name) {
      const result = await run(["find-generic-password", "-s", name, "-w"]);
      if (result.code === 0) return withoutNewline(result.stdout);
      if (result.code === NOT_FOUND) return undefined;
      throw failed(tool, `read ${name}`, result, timeoutMs);
    },
    async set(run, name, value) {
      // The value travels on stdin, inside a command line for `security -i` (see the module comment).
      const line = `add-generic-password -U -a ${KEYCHAIN_SERVICE} -s "${name}" -l "${name}" -w "${value}"\n`;
      const result = await run(["-i"], line);
      if (result.code !== 0) throw failed(tool, `store ${name}`, result, timeoutMs);
      // `security -i` exits 0 even when a command in it failed: read the value back.
      const stored = await backend.get(run, name);
      if (stored !== value) {
        throw failed(tool, `store ${name}`, { ...result, code: result.code ?? 1 }, timeoutMs);
      }
    },
    async delete(run, name) {
      const result = await run(["delete-generic-password", "-s", name]);
      if (result.code === 0) return true;
      if (result.code === NOT_FOUND) return false;
      throw failed(tool, `delete ${name}`, result, timeoutMs);
    },
  };
  return backend;
}

/**
 * The keychain of this OS. Finding the tool costs a few `stat`s, no process:
 * a machine without one starts as fast as before.
 */
export function openKeychain(options: KeychainOptions): Keychain {
  const os = options.os ?? Deno.build.os;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const runner = options.run ?? runCommand;
  if (keychainToolName(os) === undefined) {
    const missing = () =>
      Promise.reject(new KeychainError(`No keychain support on ${os}: set the environment variables instead`));
    return { tool: "none", available: false, get: missing, set: missing, delete: missing };
  }
  const backend = os === "darwin" ? macKeychain(timeoutMs) : libsecret(timeoutMs);
  const binary = resolveExecutable(backend.binary, options.path);
  const run = (args: string[], stdin?: string) => {
    if (!binary) {
      throw new KeychainError(
        `No keychain tool: ${backend.binary} was not found on PATH; ${backend.install}, or set the environment ` +
          `variable instead`,
      );
    }
    return runner(binary, args, { stdin, timeoutMs });
  };
  return {
    tool: backend.tool,
    available: binary !== undefined,
    get: (name) => backend.get(run, name),
    set: (name, value) => backend.set(run, name, value),
    delete: (name) => backend.delete(run, name),
  };
}
