/**
 * Configuration of `codex-gpt-bridge setup codex`: which Codex home to edit
 * and whether to add or remove the `chatgpt` server. Read once, frozen.
 *
 * @module
 */
import { z } from "zod";
import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { SETUP_CODEX_OPTIONS } from "./options.ts";
import { readOptions } from "./read_options.ts";

/** The validated `setup codex` configuration. */
export interface SetupCodexConfig {
  /** Add (false) or remove (true) the registration. */
  readonly remove: boolean;
  /** Absolute path of Codex's home folder (`$CODEX_HOME`, else `~/.codex`). */
  readonly codexHome: string;
}

const folder = z.string().trim().min(1, "expected a folder").refine((s) => !s.includes("\0"), "contains a NUL byte");

/** Parses `setup codex` options; throws {@linkcode ConfigError} naming the flag or variable. */
export function parseSetupCodexConfig(
  args: readonly string[],
  env: (name: string) => string | undefined,
): SetupCodexConfig {
  const raw = readOptions(SETUP_CODEX_OPTIONS, args, env);
  let codexHome: string;
  if (raw.codexHome) {
    const result = folder.safeParse(raw.codexHome.value);
    if (!result.success) {
      throw new ConfigError(
        `Invalid ${raw.codexHome.source}: ${JSON.stringify(raw.codexHome.value)} (${result.error.issues[0].message})`,
      );
    }
    codexHome = result.data;
  } else {
    const home = env("HOME");
    if (!home) throw new ConfigError("No Codex home: HOME is not set; pass --codex-home DIR or set CODEX_HOME");
    codexHome = join(home, ".codex");
  }
  return Object.freeze({
    remove: raw.remove?.value ?? false,
    codexHome: isAbsolute(codexHome) ? codexHome : resolve(codexHome),
  });
}
