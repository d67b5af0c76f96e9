/**
 * What the launcher stage needs from the command line to plan the confined
 * launch, read without zod: the launcher imports no npm package, so it
 * starts fast and can fetch the packages on a first start before anything
 * needs them. Full validation is the confined stage's (`parseServeConfig`);
 * when a value the plan depends on looks wrong, the caller runs the full
 * parse for its precise error instead.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { CHATGPT_OPTIONS, SERVE_OPTIONS } from "../config/options.ts";
import { readOptions } from "../config/read_options.ts";
import { defaultStateDir } from "../state/state_dir.ts";

/** The fields of the `serve` configuration the permission set depends on. */
export interface ServeLaunchInput {
  readonly roots: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly codexPath: string;
  readonly codexReadPaths: readonly string[];
  /** Absolute path of the state folder. */
  readonly stateDir: string;
}

/**
 * Reads the launch input of `serve`, or undefined when a value it needs is
 * missing or malformed (the full parse then reports it). Throws
 * `ConfigError` for unknown flags, as the full parse would.
 */
export function readServeLaunchInput(
  args: readonly string[],
  env: (name: string) => string | undefined,
): ServeLaunchInput | undefined {
  const raw = readOptions(SERVE_OPTIONS, args, env);
  const roots = raw.roots?.value ?? [];
  const host = (raw.host?.value ?? SERVE_OPTIONS.host.default).trim();
  const portText = (raw.port?.value ?? SERVE_OPTIONS.port.default).trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  // The default Codex is the bare name, found on PATH by the planner.
  const codexPath = (raw.codex?.value ?? "codex").trim();
  const stateDir = raw.stateDir ? raw.stateDir.value.trim() : defaultStateDir(env);
  const usable = roots.length > 0 && roots.every((root) => root && !root.includes("\0")) && host &&
    port <= 65535 && codexPath && stateDir && !stateDir.includes("\0");
  if (!usable) return undefined;
  return {
    roots,
    host,
    port,
    codexPath,
    codexReadPaths: raw.codexReadPaths?.value ?? [],
    stateDir: isAbsolute(stateDir) ? stateDir : resolve(stateDir),
  };
}

/** Reads the Responses API base URL of `chatgpt`, or undefined when it is not an http(s) URL. */
export function readChatgptBaseUrl(
  args: readonly string[],
  env: (name: string) => string | undefined,
): string | undefined {
  const baseUrl = (readOptions(CHATGPT_OPTIONS, args, env).baseUrl?.value ?? CHATGPT_OPTIONS.baseUrl.default).trim();
  const protocol = URL.parse(baseUrl)?.protocol;
  return protocol === "http:" || protocol === "https:" ? baseUrl : undefined;
}
