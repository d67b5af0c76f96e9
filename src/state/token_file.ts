/**
 * The generated bearer token, kept in the state folder so saved client
 * configurations keep working across restarts. Only a token the bridge
 * generated is stored; one given by flag or variable never is.
 *
 * The file is owner-only (0600) in the owner-only state folder. A file that
 * others could read, or that holds no token, is not trusted: it is replaced
 * by a fresh token, and the caller says so.
 *
 * @module
 */
import { join } from "node:path";
import { ensureStateDir } from "./state_dir.ts";

/** Name of the token file inside the state folder. */
export const TOKEN_FILE_NAME = "token";

/** A token the bridge generates: URL-safe base64, at least 32 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,512}$/;

/** The stored token and what happened to the file. */
export interface StoredToken {
  token: string;
  /** Absolute path of the token file. */
  path: string;
  /** `reused`: read from the file; `created`: none was there; `rotated`: asked for; `replaced`: the file was not trusted. */
  outcome: "reused" | "created" | "rotated" | "replaced";
  /** Why an untrusted file was replaced. */
  reason?: string;
}

/** Options for {@linkcode loadOrCreateToken}. */
export interface TokenFileOptions {
  /** Replace the stored token with `fresh`. @default false */
  rotate?: boolean;
  /** The token to store when a new one is needed. */
  fresh: string;
}

/** Why the existing file cannot be reused, or undefined when it can (then `token` is set). */
async function readTrusted(path: string): Promise<{ token?: string; reason?: string; missing?: boolean }> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { missing: true };
    throw error;
  }
  if (!info.isFile) return { reason: "it is not a regular file" };
  if (Deno.build.os !== "windows" && ((info.mode ?? 0) & 0o077) !== 0) {
    return { reason: `others could read it (mode ${((info.mode ?? 0) & 0o777).toString(8)})` };
  }
  const token = (await Deno.readTextFile(path)).trim();
  return TOKEN_SHAPE.test(token) ? { token } : { reason: "it holds no token" };
}

/** Writes `token` owner-only, atomically: a reader sees the old file or the new one, never a partial one. */
async function writeToken(path: string, token: string): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temporary, token + "\n", { createNew: true, mode: 0o600 });
    // The mode given at creation is filtered by the umask; 0600 is what is promised.
    if (Deno.build.os !== "windows") await Deno.chmod(temporary, 0o600);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Returns the stored token of `stateDir`, creating the folder and the file
 * when missing, replacing it when asked (`rotate`) or when it cannot be
 * trusted.
 */
export async function loadOrCreateToken(stateDir: string, options: TokenFileOptions): Promise<StoredToken> {
  await ensureStateDir(stateDir);
  const path = join(stateDir, TOKEN_FILE_NAME);
  if (!options.rotate) {
    const existing = await readTrusted(path);
    if (existing.token) return { token: existing.token, path, outcome: "reused" };
    await writeToken(path, options.fresh);
    return existing.missing
      ? { token: options.fresh, path, outcome: "created" }
      : { token: options.fresh, path, outcome: "replaced", reason: existing.reason };
  }
  await writeToken(path, options.fresh);
  return { token: options.fresh, path, outcome: "rotated" };
}

/** Quotes `text` for a POSIX shell when it needs it. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The start line's words for a stored token: where it lives and how to read it, never the token itself. */
export function describeStoredToken(stored: StoredToken): string {
  const state = stored.outcome === "reused" ? "reused from" : "new, kept in";
  return `${state} ${stored.path}; read it with \`cat ${shellQuote(stored.path)}\`; --rotate-token makes a new one`;
}
