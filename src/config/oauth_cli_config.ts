/**
 * Configuration of `codex-gpt-bridge oauth list | revoke ID | revoke --all`:
 * the action words first, then the options of {@linkcode OAUTH_OPTIONS}.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { defaultStateDir } from "../state/state_dir.ts";
import { OAUTH_OPTIONS } from "./options.ts";
import { readOptions } from "./read_options.ts";
import { isAbsolute, resolve } from "node:path";

/** What the maintenance command does. */
export type OAuthCliAction = { kind: "list" } | { kind: "revoke"; id: string } | { kind: "revoke-all" };

/** The validated command. */
export interface OAuthCliConfig {
  readonly action: OAuthCliAction;
  /** Absolute path of the state folder. */
  readonly stateDir: string;
}

/** The usage line, for errors and `--help`. */
export const OAUTH_USAGE = "codex-gpt-bridge oauth list | revoke GRANT_ID | revoke --all [--state-dir DIR]";

/** Parses the arguments after `oauth`; throws ConfigError naming what is wrong. */
export function parseOAuthCliConfig(
  args: readonly string[],
  env: (name: string) => string | undefined,
): OAuthCliConfig {
  const firstFlag = args.findIndex((arg) => arg.startsWith("-"));
  const words = firstFlag === -1 ? [...args] : args.slice(0, firstFlag);
  const raw = readOptions(OAUTH_OPTIONS, firstFlag === -1 ? [] : args.slice(firstFlag), env);
  const all = raw.all?.value === true;
  let action: OAuthCliAction;
  if (words.length === 1 && words[0] === "list" && !all) action = { kind: "list" };
  else if (words.length === 1 && words[0] === "revoke" && all) action = { kind: "revoke-all" };
  else if (words.length === 2 && words[0] === "revoke" && !all && /^g_[A-Za-z0-9_-]+$/.test(words[1])) {
    action = { kind: "revoke", id: words[1] };
  } else {
    throw new ConfigError(`Invalid oauth command ${JSON.stringify(args.join(" "))}: use ${OAUTH_USAGE}`);
  }
  const given = raw.stateDir?.value;
  const stateDir = typeof given === "string" && given.trim() ? given.trim() : defaultStateDir(env);
  if (!stateDir || stateDir.includes("\0")) {
    throw new ConfigError("No state folder: HOME is not set; pass --state-dir DIR or set CODEX_GPT_BRIDGE_STATE_DIR");
  }
  return Object.freeze({ action, stateDir: isAbsolute(stateDir) ? stateDir : resolve(stateDir) });
}
