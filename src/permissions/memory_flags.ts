/**
 * Memory settings for the long-running processes (`serve`, `chatgpt`): V8's
 * and the C allocator's. A test holds the bridge to "RSS back within 30 MiB
 * of idle after 200 concurrent clients" (tests/load).
 *
 * V8: the bridge idles most of the time and is busy in bursts. By default V8
 * keeps a burst's heap (+100 MiB after 200 concurrent clients) for about 30 s
 * before its memory reducer considers shrinking it, so a repeated burst
 * stacked on an uncollected one. With the reducer polling after one second,
 * the heap goes back to the system a few seconds after the traffic stops.
 * The cost is two full collections while idle. V8 lists the start delay
 * among flags kept "for experiments", and Deno refuses to start on a flag
 * its V8 does not know ("V8 did not recognize flag"): Deno 2.8.3 and 2.9.6
 * accept both; should a later one not, drop the flag here and in the
 * launchers.
 *
 * The launchers (`./codex-gpt-bridge`, `deno task start|chatgpt`) pass the
 * same string to the launcher stage: V8 rejects code cached under other
 * flags, and two stages with different flags recompiled the modules they
 * share on every start (~150 ms). A test keeps the copies equal.
 *
 * @module
 */

/** The `--v8-flags` argument every launch path passes (run and compile). */
export const MEMORY_FLAGS: readonly string[] = Object.freeze([
  "--v8-flags=--gc-memory-reducer-start-delay-ms=1000,--memory-reducer-delay-ms=1000",
]);

/**
 * The C allocator's settings for the same processes, as glibc reads them from
 * the environment at start. By default glibc raises its mmap threshold as
 * large buffers are freed, so a burst's HTTP bodies and stream chunks end up
 * in its heap and stay there: after 200 concurrent clients RSS sat ~30 MiB
 * above idle although nearly all of it was free (malloc_trim gave it back).
 * A fixed 32 KiB threshold keeps such buffers in their own mappings, returned
 * when freed: the load test settles ~20 MiB above idle instead (64 KiB kept
 * ~5 MiB more; 16 KiB kept no less and cost 30% of the requests/s), for ~8%
 * fewer `tools/list` requests/s. A value the owner already set wins; other C
 * libraries ignore the variable.
 */
export const MEMORY_ENV: Readonly<Record<string, string>> = Object.freeze({ MALLOC_MMAP_THRESHOLD_: "32768" });

/** {@linkcode MEMORY_ENV} minus what the environment (`env`) already sets. */
export function memoryEnv(env: (name: string) => string | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(MEMORY_ENV).filter(([name]) => env(name) === undefined));
}
