/**
 * Folders outside the roots that the owner lets Codex read (toolchains the
 * minimal system set lacks, such as `~/.nvm` or `~/.cargo`). Resolved once at
 * start; a folder that would open up the owner's files wholesale is refused.
 *
 * @module
 */
import { resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { isPathInside } from "./roots.ts";

/** What {@linkcode resolveReadPaths} checks the folders against. */
export interface ReadPathContext {
  /** The owner's HOME (never readable as a whole). */
  home?: string;
  /** Codex's CODEX_HOME (its tokens and every earlier session: never readable). */
  codexHome?: string;
}

/**
 * Resolves each folder with realpath and refuses `/`, HOME itself and any
 * folder holding CODEX_HOME, with a {@linkcode ConfigError} naming it.
 */
export async function resolveReadPaths(given: readonly string[], context: ReadPathContext): Promise<string[]> {
  const real = async (path: string) => await Deno.realPath(resolve(path)).catch(() => resolve(path));
  const home = context.home ? await real(context.home) : undefined;
  const codexHome = context.codexHome ? await real(context.codexHome) : undefined;
  const resolved: string[] = [];
  for (const path of given) {
    const where = `--codex-read-path "${path}"`;
    let dir: string;
    try {
      dir = await Deno.realPath(resolve(path));
    } catch (error) {
      throw new ConfigError(`Invalid ${where}: ${(error as Error).message}`);
    }
    if (!(await Deno.stat(dir)).isDirectory) throw new ConfigError(`Invalid ${where}: not a directory`);
    if (dir === "/") throw new ConfigError(`Invalid ${where}: Codex may never read the whole disk`);
    if (home && dir === home) {
      throw new ConfigError(`Invalid ${where}: HOME as a whole holds your keys; name the toolchain folder instead`);
    }
    if (codexHome && isPathInside(codexHome, dir)) {
      throw new ConfigError(
        `Invalid ${where}: it holds CODEX_HOME ("${codexHome}"), with your Codex tokens and sessions`,
      );
    }
    if (!resolved.includes(dir)) resolved.push(dir);
  }
  return resolved;
}
