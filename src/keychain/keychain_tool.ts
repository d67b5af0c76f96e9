/**
 * Which command-line tool reaches the keychain on each OS. Apart from
 * keychain.ts so the permission planner can name the tool without loading it.
 *
 * @module
 */

/** The keychain tool's command name on `os`, or undefined where there is none. */
export function keychainToolName(os: typeof Deno.build.os): string | undefined {
  if (os === "windows" || os === "android") return undefined;
  return os === "darwin" ? "security" : "secret-tool";
}
