/**
 * V8 settings for the long-running processes (`serve`, `chatgpt`). The
 * bridge idles most of the time and is busy in bursts; by default V8 keeps
 * a burst's heap for about 30 s before its memory reducer considers
 * shrinking it, so a repeated burst stacked on an uncollected one. With the
 * reducer polling after one second, a burst's memory goes back to the
 * system a few seconds after the traffic stops (measured: +100 MiB after 200
 * concurrent clients returns to within ~20 MiB of idle). The cost is two
 * full collections while idle.
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
