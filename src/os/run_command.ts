/**
 * Runs an OS tool (`secret-tool`, `security`, `systemctl`, `launchctl`) and
 * collects its output. Injectable, so tests can swap the runner; tests use
 * the real one with fake tools on PATH, as real processes.
 *
 * @module
 */

/** What a finished command reported. */
export interface CommandResult {
  /** Exit code; `null` when the command was stopped at its time limit. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one run. */
export interface RunOptions {
  /** Written to the command's standard input, then closed. @default nothing (stdin is /dev/null) */
  stdin?: string;
  /** Killed after this long. @default 30000 */
  timeoutMs?: number;
}

/** Runs `command` (an absolute path) with `args`; never throws for a non-zero exit. */
export type CommandRunner = (command: string, args: readonly string[], options?: RunOptions) => Promise<CommandResult>;

/** The real runner: `Deno.Command`, the caller's environment, piped stdio. */
export const runCommand: CommandRunner = async (command, args, options = {}) => {
  const child = new Deno.Command(command, {
    args: [...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, options.timeoutMs ?? 30_000);
  try {
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      // A tool that exits without reading its input closes the pipe: its exit code says what went wrong.
      await writer.write(new TextEncoder().encode(options.stdin)).catch(() => {});
      await writer.close().catch(() => {});
    }
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: timedOut ? null : output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
};
