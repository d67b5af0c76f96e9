/**
 * Starts a Codex child the one way both adapters need: exactly the
 * environment given (the config's allow-list; nothing of the bridge's own
 * environment leaks in) and all three stdio streams piped.
 *
 * @module
 */

/**
 * Spawns `command args` with exactly `env`. Throws like `Deno.Command`
 * (`Deno.errors.NotFound`, `NotCapable`, …) when it cannot run.
 */
export function spawnChild(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Deno.ChildProcess {
  return new Deno.Command(command, {
    args: [...args],
    clearEnv: true,
    env: { ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
