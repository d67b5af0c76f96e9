import assert from "node:assert/strict";
import { ThreadRegistry } from "../../src/jobs/thread_registry.ts";

Deno.test("ThreadRegistry.add() keeps the first cwd and sandbox of a thread", () => {
  const threads = new ThreadRegistry();
  threads.add({ id: "a", cwd: "/r", root: "/r", sandbox: "read-only" });
  const again = threads.add({ id: "a", cwd: "/other", root: "/other", sandbox: "workspace-write" });
  assert.equal(again.cwd, "/r");
  assert.equal(again.sandbox, "read-only");
  assert.equal(threads.size, 1);
});

Deno.test("ThreadRegistry never evicts a thread with a running job", () => {
  let now = 0;
  const threads = new ThreadRegistry({ maxEntries: 2, now: () => now++ });
  threads.add({ id: "busy", cwd: "/r", root: "/r", sandbox: "read-only" });
  threads.setRunning("busy", "job-1");
  threads.add({ id: "idle", cwd: "/r", root: "/r", sandbox: "read-only" });
  threads.add({ id: "new", cwd: "/r", root: "/r", sandbox: "read-only" });
  assert.ok(threads.get("busy"));
  assert.equal(threads.get("idle"), undefined);
  assert.ok(threads.get("new"));
});

Deno.test("ThreadRegistry forgets idle threads after the TTL", () => {
  let now = 0;
  const threads = new ThreadRegistry({ ttlMs: 50, now: () => now });
  threads.add({ id: "a", cwd: "/r", root: "/r", sandbox: "read-only" });
  now = 100;
  assert.equal(threads.get("a"), undefined);
});
