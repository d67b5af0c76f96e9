/**
 * Jobs, request ids and threads in the state database: what a restarted
 * bridge finds again, what it marks interrupted, what it forgets.
 */
import assert from "node:assert/strict";
import { openDatabase, type StateDatabase } from "../../src/state/database.ts";
import { SqliteJobRepository } from "../../src/state/job_repository.ts";
import { SqliteThreadRepository } from "../../src/state/thread_repository.ts";
import { JobRegistry } from "../../src/jobs/job_registry.ts";
import { ThreadRegistry } from "../../src/jobs/thread_registry.ts";
import { abortableDelay } from "../fixtures/fake_upstream.ts";
import { call } from "../fixtures/bridge_client.ts";
import { setupToolBridge } from "../fixtures/tool_bridge.ts";

async function withState(body: (open: () => Promise<StateDatabase>) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "state-jobs-" });
  const opened: StateDatabase[] = [];
  try {
    await body(async () => {
      const state = await openDatabase(dir);
      opened.push(state);
      return state;
    });
  } finally {
    for (const state of opened) {
      try {
        state.close();
      } catch {
        // Closed by the test already.
      }
    }
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a finished job, its result and its requestId are found again after a restart", () =>
  withState(async (open) => {
    const first = await open();
    const jobs = new JobRegistry({ repository: new SqliteJobRepository(first) });
    const job = jobs.start(({ onEvent }) => {
      onEvent({ kind: "command_started", command: "ls" });
      return Promise.resolve({ threadId: "t1", text: "the answer" });
    }, { tool: "codex_read", timeoutMs: 1000, prompt: "p".repeat(150), requestId: "r-1" });
    await job.done;
    first.close();

    const again = new JobRegistry({ repository: new SqliteJobRepository(await open()) });
    const found = again.get(job.id)!;
    assert.equal(found.status, "completed");
    assert.equal(found.text, "the answer");
    assert.equal(found.threadId, "t1");
    assert.equal(found.progress.lastCommand, "ls");
    assert.equal(found.promptPreview, "p".repeat(100), "only the first 100 characters are stored");
    assert.equal(again.byRequest("r-1")?.id, job.id);
    assert.equal(again.byRequest("r-2"), undefined);
  }));

Deno.test("a job left running by a crash is interrupted at the next start, with its thread and a reason", () =>
  withState(async (open) => {
    const first = await open();
    const jobs = new JobRegistry({ repository: new SqliteJobRepository(first) });
    const job = jobs.start(({ signal, onEvent }) => {
      onEvent({ kind: "thread_started", threadId: "t-crash" });
      return abortableDelay(60_000, signal).then(() => ({ threadId: "t-crash", text: "" }));
    }, { tool: "codex_run", timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    // A crash: nothing more is written; the next bridge opens the same file.
    const later = new JobRegistry({ repository: new SqliteJobRepository(await open()) });
    const found = later.get(job.id)!;
    assert.equal(found.status, "interrupted");
    assert.equal(found.threadId, "t-crash");
    assert.match(found.error!, /bridge stopped while this job ran/);
    assert.equal(later.running, 0, "an interrupted job takes no running slot");
    assert.deepEqual(later.counts().interrupted, 1);
    await jobs.abortAll("test over");
  }));

Deno.test("the 6 h TTL and the cap hold across restarts: expired jobs and threads are dropped from the file", () =>
  withState(async (open) => {
    let now = 1_000_000;
    const clock = () => now;
    const first = await open();
    const jobs = new JobRegistry({ repository: new SqliteJobRepository(first), ttlMs: 1000, now: clock });
    const threads = new ThreadRegistry({ repository: new SqliteThreadRepository(first), ttlMs: 1000, now: clock });
    const old = jobs.start(() => Promise.resolve({ threadId: "t", text: "" }), { tool: "x", timeoutMs: 1000 });
    await old.done;
    threads.add({ id: "old-thread", cwd: "/r", root: "/r", sandbox: "read-only" });
    now += 500;
    const recent = jobs.start(() => Promise.resolve({ threadId: "t", text: "" }), { tool: "x", timeoutMs: 1000 });
    await recent.done;
    threads.add({ id: "recent-thread", cwd: "/r/sub", root: "/r", sandbox: "workspace-write" });
    now += 700;
    const second = await open();
    const restored = new JobRegistry({ repository: new SqliteJobRepository(second), ttlMs: 1000, now: clock });
    const restoredThreads = new ThreadRegistry({
      repository: new SqliteThreadRepository(second),
      ttlMs: 1000,
      now: clock,
    });
    assert.equal(restored.get(old.id), undefined);
    assert.ok(restored.get(recent.id));
    assert.equal(restoredThreads.get("old-thread"), undefined);
    assert.deepEqual(
      { ...restoredThreads.get("recent-thread"), createdAt: 0, lastUsedAt: 0 },
      { id: "recent-thread", cwd: "/r/sub", root: "/r", sandbox: "workspace-write", createdAt: 0, lastUsedAt: 0 },
    );
    const count = second.db.prepare("SELECT count(*) AS n FROM jobs").get() as { n: number };
    assert.equal(count.n, 1, "the expired row is deleted, not only hidden");

    const capped = new JobRegistry({ repository: new SqliteJobRepository(second), maxEntries: 1, now: clock });
    const newest = capped.start(() => Promise.resolve({ threadId: "t", text: "" }), { tool: "x", timeoutMs: 1000 });
    await newest.done;
    const rows = second.db.prepare("SELECT id FROM jobs").all().map((row) => (row as { id: string }).id);
    assert.deepEqual(rows, [newest.id], "an evicted job leaves the file too");
  }));

Deno.test("codex_reply continues a thread from before the restart, in its cwd, sandbox and model", () =>
  withState(async (open) => {
    const first = await open();
    const before = await setupToolBridge({
      policy: { allowWrite: true },
      jobs: { repository: new SqliteJobRepository(first) },
      threads: { repository: new SqliteThreadRepository(first) },
    });
    const client = await before.connect();
    let job;
    try {
      job = await call(client, "codex_run", {
        prompt: "a",
        cwd: "sub",
        sandbox: "workspace-write",
        requestId: "q",
        model: "fake-small",
        reasoningEffort: "medium",
      });
      assert.equal(job.status, "completed", job.message);
    } finally {
      await client.close();
    }
    first.close();

    const second = await open();
    const after = await setupToolBridge({
      policy: { allowWrite: true },
      rootPaths: before.rootPaths,
      jobs: { repository: new SqliteJobRepository(second) },
      threads: { repository: new SqliteThreadRepository(second) },
    });
    const again = await after.connect();
    try {
      const status = await call(again, "codex_job_status", { jobId: job.jobId, waitMs: 0 });
      assert.equal(status.status, "completed");
      assert.equal(status.text, "echo: a");
      const retried = await call(again, "codex_run", { prompt: "a", requestId: "q" });
      assert.equal(retried.jobId, job.jobId, "a retried requestId still names the first job");
      assert.equal(after.upstream.calls.length, 0);
      const reply = await call(again, "codex_reply", { threadId: job.threadId, prompt: "b" });
      assert.equal(reply.status, "completed", reply.message);
      const [continued] = after.upstream.calls;
      assert.equal(continued.kind, "continue");
      assert.equal(continued.request.sandbox, "workspace-write");
      assert.equal(continued.request.cwd, await Deno.realPath(`${before.root}/sub`));
      assert.deepEqual([continued.request.model, continued.request.reasoningEffort], ["fake-small", "medium"]);
    } finally {
      await again.close();
      await after.cleanup();
      await before.cleanup();
    }
  }));
