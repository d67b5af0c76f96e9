import assert from "node:assert/strict";
import { JobRegistry } from "../../src/jobs/job_registry.ts";
import { BusyError } from "../../src/errors.ts";
import { abortableDelay } from "../fixtures/fake_upstream.ts";

Deno.test("JobRegistry.start() completes a job and records its thread and text", async () => {
  const jobs = new JobRegistry();
  const job = jobs.start(({ onEvent }) => {
    onEvent({ kind: "command_started", command: "ls" });
    onEvent({ kind: "command_finished", command: "ls", exitCode: 0 });
    return Promise.resolve({ threadId: "t1", text: "done" });
  }, { tool: "codex_read", timeoutMs: 1000 });
  assert.match(job.id, /^[0-9a-f-]{36}$/);
  assert.equal(await jobs.wait(job, 1000), true);
  assert.equal(job.status, "completed");
  assert.equal(job.threadId, "t1");
  assert.equal(job.text, "done");
  assert.equal(job.progress.commandsStarted, 1);
  assert.equal(job.progress.commandsFinished, 1);
  assert.equal(job.progress.lastCommand, "ls");
  assert.deepEqual(jobs.counts(), { running: 0, completed: 1, failed: 0, cancelled: 0, interrupted: 0 });
});

Deno.test("JobRegistry.wait() returns false after the window and the job keeps running", async () => {
  const jobs = new JobRegistry();
  const job = jobs.start(
    ({ signal }) => abortableDelay(80, signal).then(() => ({ threadId: "t", text: "late" })),
    { tool: "codex_run", timeoutMs: 5000 },
  );
  assert.equal(await jobs.wait(job, 10), false);
  assert.equal(job.status, "running");
  assert.equal(jobs.counts().running, 1);
  await job.done;
  assert.equal(job.status, "completed");
});

Deno.test("JobRegistry fails a job that exceeds its timeout with a reason", async () => {
  const jobs = new JobRegistry();
  const job = jobs.start(
    ({ signal }) => abortableDelay(10_000, signal).then(() => ({ threadId: "t", text: "" })),
    { tool: "codex_read", timeoutMs: 20 },
  );
  await job.done;
  assert.equal(job.status, "failed");
  assert.match(job.error!, /Timed out after 20 ms/);
});

Deno.test("JobRegistry turns a synchronous throw into a failed job", async () => {
  const jobs = new JobRegistry();
  const job = jobs.start(() => {
    throw new Error("boom");
  }, { tool: "codex_read", timeoutMs: 1000 });
  await job.done;
  assert.equal(job.status, "failed");
  assert.equal(job.error, "boom");
});

Deno.test("JobRegistry refuses more running jobs than maxRunning with a busy error", async () => {
  const jobs = new JobRegistry({ maxRunning: 2 });
  const slow = () =>
    jobs.start(({ signal }) => abortableDelay(50, signal).then(() => ({ threadId: "t", text: "" })), {
      tool: "codex_read",
      timeoutMs: 1000,
    });
  const a = slow(), b = slow();
  assert.throws(slow, (error) => error instanceof BusyError && /retry/.test(error.message));
  await Promise.all([a.done, b.done]);
  slow().done.then(() => {});
  await jobs.abortAll("test over");
});

Deno.test("JobRegistry evicts the oldest finished jobs first and never a running one", async () => {
  let now = 1000;
  const jobs = new JobRegistry({ maxEntries: 3, maxRunning: 3, now: () => now });
  const finished = [];
  for (let i = 0; i < 2; i++) {
    const job = jobs.start(() => Promise.resolve({ threadId: `t${i}`, text: "" }), { tool: "x", timeoutMs: 1000 });
    await job.done;
    finished.push(job);
    now += 10;
  }
  const running = jobs.start(({ signal }) => abortableDelay(10_000, signal).then(() => ({ threadId: "r", text: "" })), {
    tool: "x",
    timeoutMs: 10_000,
  });
  const fourth = jobs.start(() => Promise.resolve({ threadId: "t4", text: "" }), { tool: "x", timeoutMs: 1000 });
  assert.equal(jobs.get(finished[0].id), undefined, "oldest finished job evicted");
  assert.ok(jobs.get(finished[1].id));
  assert.ok(jobs.get(running.id));
  assert.ok(jobs.get(fourth.id));
  await jobs.abortAll("test over");
});

Deno.test("JobRegistry forgets finished jobs after their TTL but keeps running ones", async () => {
  let now = 0;
  const jobs = new JobRegistry({ ttlMs: 100, now: () => now });
  const done = jobs.start(() => Promise.resolve({ threadId: "t", text: "" }), { tool: "x", timeoutMs: 1000 });
  await done.done;
  const running = jobs.start(({ signal }) => abortableDelay(10_000, signal).then(() => ({ threadId: "r", text: "" })), {
    tool: "x",
    timeoutMs: 10_000,
  });
  now = 1000;
  assert.equal(jobs.get(done.id), undefined);
  assert.ok(jobs.get(running.id));
  await jobs.abortAll("test over");
  assert.equal(running.status, "interrupted", "a shutdown interrupts, it does not fail");
  assert.match(running.error!, /test over/);
});
