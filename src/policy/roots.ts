/**
 * Allowed roots and the working directory of each Codex job. A cwd is
 * checked lexically first (so `..` is reported as such), then by realpath
 * (so a symlink pointing out is caught), with a separator-safe containment
 * test (`/a/b` does not contain `/a/bc`).
 *
 * @module
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ConfigError, PolicyError } from "../errors.ts";

/** A root as the owner gave it and as it resolves on disk. */
export interface AllowedRoot {
  readonly given: string;
  readonly resolved: string;
}

/** Longest cwd accepted; longer ones are refused before touching the disk. */
const MAX_PATH = 4096;

/** Whether `child` is `parent` or lies under it (both absolute, normalised). */
export function isPathInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  if (rel === "") return true;
  // "..foo" is a legitimate child name; only ".." as a whole segment escapes.
  return !isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${sep}`);
}

function describe(roots: readonly AllowedRoot[]): string {
  return roots.map((root) => `"${root.resolved}"`).join(", ");
}

/**
 * Resolves the owner's roots with realpath. Throws {@linkcode ConfigError}
 * for a missing root or a file; duplicates collapse into one.
 */
export async function resolveRoots(given: readonly string[]): Promise<readonly AllowedRoot[]> {
  const roots: AllowedRoot[] = [];
  for (const root of given) {
    if (root.includes("\0")) throw new ConfigError(`Invalid root "${root.replaceAll("\0", "\\0")}": NUL byte`);
    let resolved: string;
    try {
      resolved = await Deno.realPath(resolve(root));
    } catch (error) {
      throw new ConfigError(`Root "${root}" cannot be used: ${(error as Error).message}`);
    }
    if (!(await Deno.stat(resolved)).isDirectory) throw new ConfigError(`Root "${root}" is not a directory`);
    if (!roots.some((r) => r.resolved === resolved)) roots.push({ given: root, resolved });
  }
  return Object.freeze(roots);
}

/**
 * Returns the realpath of the directory a job may run in. With one root,
 * `cwd` defaults to it and may be relative to it; with several, an absolute
 * `cwd` is required. Throws {@linkcode PolicyError} naming the value and the
 * allowed roots.
 */
export async function resolveAllowedCwd(cwd: string | undefined, roots: readonly AllowedRoot[]): Promise<string> {
  if (cwd === undefined) {
    if (roots.length === 1) return roots[0].resolved;
    throw new PolicyError(`cwd is required because the bridge has several roots: pass one of ${describe(roots)}`);
  }
  const shown = JSON.stringify(cwd.length > 200 ? `${cwd.slice(0, 200)}…` : cwd);
  if (cwd.trim() === "") {
    throw new PolicyError(`Invalid cwd ${shown}: empty; pass a directory inside ${describe(roots)}`);
  }
  if (cwd.includes("\0")) throw new PolicyError(`Invalid cwd ${shown}: it contains a NUL byte`);
  if (cwd.length > MAX_PATH) throw new PolicyError(`Invalid cwd ${shown}: longer than ${MAX_PATH} characters`);
  if (!isAbsolute(cwd) && roots.length !== 1) {
    throw new PolicyError(`cwd ${shown} is relative but the bridge has several roots: pass an absolute path`);
  }
  const lexical = isAbsolute(cwd) ? resolve(cwd) : resolve(roots[0].resolved, cwd);
  const lexicallyInside = roots.some((root) =>
    isPathInside(lexical, root.resolved) || isPathInside(lexical, resolve(root.given))
  );
  if (!lexicallyInside) {
    throw new PolicyError(`cwd ${shown} is outside the allowed roots ${describe(roots)}`);
  }
  let real: string;
  try {
    real = await Deno.realPath(lexical);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "it does not exist" : (error as Error).message;
    throw new PolicyError(`cwd ${shown} cannot be used: ${reason}`);
  }
  if (!roots.some((root) => isPathInside(real, root.resolved))) {
    throw new PolicyError(
      `cwd ${shown} resolves to "${real}" (through a symlink), outside the allowed roots ${describe(roots)}`,
    );
  }
  if (!(await Deno.stat(real)).isDirectory) throw new PolicyError(`cwd ${shown} is not a directory`);
  return real;
}
