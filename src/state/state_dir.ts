/**
 * Where the bridge keeps what must outlive a run (jobs, threads, OAuth
 * grants, the generated token, the audit log): one folder per user, created
 * owner-only.
 *
 * @module
 */
import { join } from "node:path";

/** Variables the default state folder depends on. */
export const STATE_DIR_ENV = ["XDG_STATE_HOME", "HOME"] as const;

/**
 * The default state folder: `$XDG_STATE_HOME/codex-gpt-bridge`, else
 * `~/.local/state/codex-gpt-bridge`; on macOS
 * `~/Library/Application Support/codex-gpt-bridge`. Undefined without HOME.
 */
export function defaultStateDir(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const home = env("HOME");
  if (os === "darwin") return home ? join(home, "Library", "Application Support", "codex-gpt-bridge") : undefined;
  const xdg = env("XDG_STATE_HOME");
  // The XDG spec ignores a relative value.
  if (xdg && xdg.startsWith("/")) return join(xdg, "codex-gpt-bridge");
  return home ? join(home, ".local", "state", "codex-gpt-bridge") : undefined;
}

/** Creates the folder (and parents) if missing; the folder itself is owner-only. */
export async function ensureStateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and leaves an existing folder as it was.
  if (Deno.build.os !== "windows") await Deno.chmod(dir, 0o700);
}
