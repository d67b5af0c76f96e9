/**
 * A process knows it is confined when it cannot run arbitrary programs: no
 * environment flag to spoof, the runtime itself says so. Its own module, so
 * the confined stages can ask without loading the launcher's.
 *
 * @module
 */

/** Whether this process already runs under a narrow permission set. */
export function isConfined(): boolean {
  return Deno.permissions.querySync({ name: "run" }).state !== "granted";
}
