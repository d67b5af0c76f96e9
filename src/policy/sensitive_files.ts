/**
 * The sensitive-file preflight: before Codex is pointed at a directory, look
 * for files that usually hold secrets (`.env`, SSH keys, registry
 * credentials, certificates) anywhere under it, and refuse if any is found.
 * The scan is bounded in entries and time; hitting a bound refuses too —
 * a tree that could not be checked is never waved through.
 *
 * @module
 */
import { join } from "node:path";
import { PolicyError } from "../errors.ts";

/** Options for {@linkcode scanSensitiveFiles}. */
export interface ScanOptions {
  /** Most directory entries examined. @default 200000 */
  maxEntries?: number;
  /** Longest the scan may take. @default 2000 */
  timeBudgetMs?: number;
  /** Stop after this many hits: one is enough to refuse, so the default exits at the first. @default 1 */
  stopAfter?: number;
}

/** Outcome of a scan. */
export type ScanResult =
  | { status: "clean"; entries: number }
  | { status: "found"; paths: string[] }
  | { status: "too_large"; entries: number; reason: string };

/** Directories never descended into: VCS data and dependency/build output. */
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist"]);

const EXACT_NAMES = new Set([
  ".env",
  ".npmrc",
  ".pypirc",
  ".netrc",
  ".git-credentials",
  "id_rsa",
  "id_dsa",
  "id_ecdsa",
  "id_ed25519",
  "id_ecdsa_sk",
  "id_ed25519_sk",
]);
const SUFFIXES = [".pem", ".key", ".p12", ".pfx"];

/** The same names as shell globs (case-insensitive), e.g. for `find -iname`. */
export const SENSITIVE_GLOBS: readonly string[] = [...EXACT_NAMES, ".env.*", ...SUFFIXES.map((suffix) => `*${suffix}`)];

/** Whether a file name (not a path) is one the preflight refuses. */
export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return EXACT_NAMES.has(lower) || lower.startsWith(".env.") || SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** How many directories are read between yields to the event loop. */
const DIRS_PER_SLICE = 256;

/**
 * Walks `cwd` (without following symlinked directories) and reports
 * sensitive names, relative to `cwd`. Reads directories synchronously for
 * speed, yielding to the event loop between slices so the server stays
 * responsive.
 */
export async function scanSensitiveFiles(cwd: string, options: ScanOptions = {}): Promise<ScanResult> {
  const maxEntries = options.maxEntries ?? 200_000;
  const stopAfter = options.stopAfter ?? 1;
  const deadline = performance.now() + (options.timeBudgetMs ?? 2000);
  const found: string[] = [];
  const pending: string[] = [""];
  let entries = 0;
  let slice = 0;
  while (pending.length > 0) {
    const rel = pending.pop()!;
    let listing: Iterable<Deno.DirEntry>;
    try {
      listing = Deno.readDirSync(rel === "" ? cwd : join(cwd, rel));
    } catch (error) {
      // An unreadable directory cannot be shown to be clean.
      return { status: "too_large", entries, reason: `"${rel || "."}" cannot be read (${(error as Error).name})` };
    }
    for (const entry of listing) {
      entries++;
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (isSensitiveName(entry.name)) {
        found.push(path);
        if (found.length >= stopAfter) return { status: "found", paths: found.sort() };
      } else if (entry.isDirectory && !SKIPPED_DIRS.has(entry.name)) {
        pending.push(path);
      }
    }
    if (entries > maxEntries) {
      return { status: "too_large", entries, reason: `more than ${maxEntries} entries` };
    }
    if (++slice % DIRS_PER_SLICE === 0) {
      if (performance.now() > deadline) {
        return { status: "too_large", entries, reason: `the scan took longer than ${options.timeBudgetMs ?? 2000} ms` };
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return found.length > 0 ? { status: "found", paths: found.sort() } : { status: "clean", entries };
}

/**
 * Throws {@linkcode PolicyError} unless `cwd` is free of sensitive files,
 * saying what was found (or which bound was hit) and how to proceed.
 */
export async function assertNoSensitiveFiles(cwd: string, options?: ScanOptions): Promise<void> {
  const result = await scanSensitiveFiles(cwd, options);
  if (result.status === "clean") return;
  if (result.status === "found") {
    const shown = result.paths.slice(0, 10).map((path) => `"${path}"`).join(", ");
    const more = result.paths.length > 10 ? ` and ${result.paths.length - 10} more` : "";
    throw new PolicyError(
      `Refused: sensitive files under "${cwd}": ${shown}${more}. Codex could read them. Move them out of the ` +
        `directory, pick a narrower cwd, or the owner may start the bridge with --disable-secret-scan`,
    );
  }
  throw new PolicyError(
    `Refused: the sensitive-file check of "${cwd}" could not finish (${result.reason}), so the directory ` +
      `cannot be shown to be free of secrets. Pick a narrower cwd`,
  );
}
