/**
 * Finds out which Codex is installed: runs `codex --version` once, bounded
 * in time, and parses the version. Never throws: a missing or broken binary
 * becomes a problem text saying what was looked for and how to install.
 *
 * @module
 */

/** What `codex --version` told us. */
export type CodexProbe =
  | { found: true; version: string }
  | { found: false; problem: string };

/** How to get Codex, for error messages. */
export const INSTALL_HINT = "install it with `npm i -g @openai/codex` or pass --codex PATH";

/** Options for {@linkcode probeCodex}. */
export interface ProbeOptions {
  /** @default 15000 */
  timeoutMs?: number;
}

/** Runs `codex --version` with exactly `env`. */
export async function probeCodex(
  codexPath: string,
  env: Readonly<Record<string, string>>,
  options: ProbeOptions = {},
): Promise<CodexProbe> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  try {
    const { code, stdout, stderr } = await new Deno.Command(codexPath, {
      args: ["--version"],
      clearEnv: true,
      env: { ...env },
      stdin: "null",
      signal,
    }).output();
    const text = new TextDecoder().decode(stdout).trim();
    const version = parseCodexVersion(text);
    if (code === 0 && version) return { found: true, version };
    const detail = (text || new TextDecoder().decode(stderr)).trim().split("\n").at(-1)?.slice(0, 200);
    return { found: false, problem: `"${codexPath} --version" failed (exit ${code}: ${detail}); ${INSTALL_HINT}` };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const where = codexPath.includes("/") ? `at "${codexPath}"` : `("${codexPath}" is not on PATH)`;
      return { found: false, problem: `Codex CLI not found ${where}; ${INSTALL_HINT}` };
    }
    const reason = signal.aborted ? "it did not answer in time" : (error as Error).message;
    return { found: false, problem: `"${codexPath} --version" could not run: ${reason}; ${INSTALL_HINT}` };
  }
}

/** `codex-cli 0.169.0` → `0.169.0`. */
export function parseCodexVersion(text: string): string | undefined {
  return text.match(/(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/)?.[1];
}

/** Compares two versions numerically (pre-release tags ignored): <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split("-")[0].split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
