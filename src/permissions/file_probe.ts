/**
 * The file-system look-ups a launch plan depends on, behind one interface so
 * the planner can record them (`launch_facts.ts`) for a cached plan's check.
 *
 * @module
 */
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** Finds `command` like a shell would: absolute/relative paths as given, bare names on PATH. */
export function resolveExecutable(command: string, path: string | undefined, cwd = Deno.cwd()): string | undefined {
  const isFile = (candidate: string) => {
    try {
      const info = Deno.statSync(candidate);
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      return false;
    }
  };
  if (command.includes("/")) {
    const absolute = isAbsolute(command) ? command : resolve(cwd, command);
    return isFile(absolute) ? absolute : undefined;
  }
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir && isFile(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The file-system look-ups a launch plan depends on; `LaunchFacts` records them. */
export interface FileProbe {
  /** The path with every symlink resolved, or undefined when it does not exist. */
  realPath(path: string): Promise<string | undefined>;
  /** `command` found like a shell would (see {@linkcode resolveExecutable}), or undefined. */
  executable(command: string, searchPath: string | undefined): string | undefined;
  /** Whether `path` exists. */
  exists(path: string): Promise<boolean>;
}

/** The file system as it is, recording nothing. */
export const LIVE_PROBE: FileProbe = Object.freeze({
  realPath: (path: string) => Deno.realPath(path).catch(() => undefined),
  executable: (command: string, searchPath: string | undefined) => resolveExecutable(command, searchPath),
  exists: (path: string) => Deno.stat(path).then(() => true, () => false),
});
