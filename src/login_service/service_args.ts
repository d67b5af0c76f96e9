/**
 * The serve flags a login service runs with: validated by the real parser,
 * refused when they carry a secret, and made independent of the shell that
 * installed them (absolute paths; the service has another working folder
 * and none of the shell's variables).
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { SERVE_OPTIONS } from "../config/options.ts";
import { readOptions } from "../config/read_options.ts";
import { parseServeConfig } from "../config/serve_config.ts";
import { ConfigError } from "../errors.ts";
import { resolveExecutable } from "../permissions/file_probe.ts";

/** Where the installing shell is. */
export interface ServiceArgsContext {
  cwd: string;
  /** The installer's environment: only HOME, XDG_STATE_HOME and PATH are consulted. */
  env: (name: string) => string | undefined;
}

type Key = keyof typeof SERVE_OPTIONS;

// Flags naming a file or folder, made absolute against the installer's folder.
const PATH_FLAGS: ReadonlySet<Key> = new Set(["roots", "codexReadPaths", "stateDir"]);

/**
 * Validated `serve` arguments for a service, e.g. `["serve", "--root", "/abs/app"]`.
 * Throws {@linkcode ConfigError} naming the flag.
 */
export function serviceArgs(args: readonly string[], context: ServiceArgsContext): string[] {
  // Only the flags count: the service will not see this shell's variables.
  const flagsOnly = readOptions(SERVE_OPTIONS, args, () => undefined);
  if (flagsOnly.token) {
    throw new ConfigError(
      "Refusing --token for service install: the unit file would hold the secret; store it with " +
        "`codex-gpt-bridge secret set codex-gpt-bridge:token` (value on stdin) and install without --token",
    );
  }
  const home = context.env("HOME");
  const xdg = context.env("XDG_STATE_HOME");
  parseServeConfig(args, (name) => name === "HOME" ? home : name === "XDG_STATE_HOME" ? xdg : undefined);
  const out = ["serve"];
  for (const [key, spec] of Object.entries(SERVE_OPTIONS) as [Key, (typeof SERVE_OPTIONS)[Key]][]) {
    const given = flagsOnly[key];
    if (given === undefined) continue;
    const value = given.value as string | boolean | string[];
    if (typeof value === "boolean") {
      if (value) out.push(`--${spec.flag}`);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      out.push(`--${spec.flag}`, normalize(key, item, context));
    }
  }
  return out;
}

function normalize(key: Key, value: string, context: ServiceArgsContext): string {
  if (PATH_FLAGS.has(key)) {
    const absolute = isAbsolute(value) ? value : resolve(context.cwd, value);
    if (key === "roots") {
      let info: Deno.FileInfo;
      try {
        info = Deno.statSync(absolute);
      } catch (error) {
        throw new ConfigError(`Invalid --root: "${value}" cannot be used (${(error as Error).name})`);
      }
      if (!info.isDirectory) throw new ConfigError(`Invalid --root: "${value}" is not a directory`);
    }
    return absolute;
  }
  // The service's PATH may find another (or no) Codex: pin the one this shell finds.
  if (key === "codex") return resolveExecutable(value, context.env("PATH"), context.cwd) ?? value;
  return value;
}
