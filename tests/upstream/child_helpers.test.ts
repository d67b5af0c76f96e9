import assert from "node:assert/strict";
import { StderrTail } from "../../src/upstream/stderr_tail.ts";
import { LazyChild } from "../../src/upstream/lazy_child.ts";

Deno.test("StderrTail keeps the last lines, joins split chunks and bounds a flood", () => {
  const seen: string[] = [];
  const tail = new StderrTail({ maxLines: 3, onLine: (line) => seen.push(line) });
  tail.push("first li");
  tail.push("ne\n\nsecond\nthird\n");
  tail.push("fourth\n" + "x".repeat(10_000) + "\n");
  assert.deepEqual(tail.lines.map((l) => l.slice(0, 6)), ["third", "fourth", "xxxxxx"]);
  assert.equal(tail.last!.length, 500, "long lines are cut");
  assert.equal(seen[0], "first line");
  tail.push("y".repeat(100_000)); // no newline: the partial line stays bounded too
  assert.equal(tail.lines.length, 3);
});

Deno.test("LazyChild starts once, restarts after forget() or a failed start, and take() empties it", async () => {
  let starts = 0;
  let fail = true;
  const child = new LazyChild(() => {
    starts++;
    if (fail) return Promise.reject(new Error("cannot start"));
    return Promise.resolve({ n: starts });
  });
  await assert.rejects(child.get(), /cannot start/);
  fail = false;
  const first = await child.get();
  assert.equal(await child.get(), first, "one child while it lives");
  child.forget(first);
  await Promise.resolve();
  const second = await child.get();
  assert.notEqual(second, first);
  child.forget(first); // a stale session does not drop the current one
  await Promise.resolve();
  assert.equal(await child.get(), second);
  assert.equal(await child.take(), second);
  assert.equal(await child.take(), undefined);
  assert.equal(starts, 3);
});
