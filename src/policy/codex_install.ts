/**
 * The folder of Codex's own files, which every permission profile must make
 * readable: Codex re-executes its own binary inside the sandbox it builds.
 *
 * @module
 */
import { basename, dirname } from "node:path";

/**
 * Returns the folder holding the Codex binary `codexPath` runs. For an npm
 * install (`node_modules/.bin/codex` → `@openai/codex/bin/codex.js`, whose
 * native binary sits in a sibling or nested `@openai/codex-<platform>`
 * package) that is the `@openai` scope folder holding both; for any other
 * install, the folder of the binary's realpath. Undefined when the path
 * cannot be resolved (Codex is missing: nothing will run anyway).
 */
export function codexInstallDir(codexPath: string): string | undefined {
  let real: string;
  try {
    real = Deno.realPathSync(codexPath);
  } catch {
    return undefined;
  }
  return installDirOf(real);
}

/** {@linkcode codexInstallDir} for a path already resolved (`real`, symlinks followed). */
export function installDirOf(real: string): string {
  for (let dir = dirname(real); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === "@openai" && basename(dirname(dir)) === "node_modules") return dir;
  }
  return dirname(real);
}
