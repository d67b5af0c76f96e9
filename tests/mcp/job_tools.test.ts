/**
 * Long work the way ChatGPT does it, through the real handler and MCP
 * server: bounded waits, `next` hints in structuredContent, cancel, request
 * ids, the job list, and errors that keep the owner's machine private.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { abortableDelay } from "../fixtures/fake_upstream.ts";
import { call } from "../fixtures/bridge_client.ts";
import { setupToolBridge } from "../fixtures/tool_bridge.ts";
import { UpstreamError } from "../../src/errors.ts";

/** A turn that names its thread, runs a command, and ends after `ms` or when aborted. */
function slowTurn(ms: number, threadId = "slow-thread") {
  return async (fake: { request: { onEvent: (e: never) => void; signal: AbortSignal } }) => {
    const emit = fake.request.onEvent as (event: unknown) => void;
    emit({ kind: "thread_started", threadId });
    emit({ kind: "command_started", command: "sleep 100" });
    emit({ kind: "agent_message", text: "halfway there" });
    await abortableDelay(ms, fake.request.signal);
    return { threadId, text: "finally" };
  };
}

Deno.test("codex_job_status with waitMs answers the moment the job completes, not when the wait ends", async () => {
  const bridge = await setupToolBridge({ policy: { fastReturnMs: 0 }, script: slowTurn(400) });
  const client = await bridge.connect();
  try {
    const first = await call(client, "codex_read", { prompt: "slow" });
    assert.equal(first.status, "running");
    const started = performance.now();
    const done = await call(client, "codex_job_status", { jobId: first.jobId, waitMs: 30_000 });
    const waited = performance.now() - started;
    assert.equal(done.status, "completed", done.message);
    assert.equal(done.text, "finally");
    assert.ok(waited < 10_000, `answered ${Math.round(waited)} ms after the call, long before waitMs`);
    assert.ok(done.next.includes(`codex_reply with {"threadId":"slow-thread"`), done.next);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("codex_job_status with waitMs 0 answers at once and says to wait next time", async () => {
  const bridge = await setupToolBridge({ policy: { fastReturnMs: 0 }, script: slowTurn(60_000) });
  const client = await bridge.connect();
  try {
    const first = await call(client, "codex_read", { prompt: "slow" });
    const status = await call(client, "codex_job_status", { jobId: first.jobId, waitMs: 0 });
    assert.equal(status.status, "running");
    assert.equal(status.progress.lastCommand, "sleep 100");
    assert.ok(status.next.includes(`"waitMs":20000`), status.next);
    const tooLong = await call(client, "codex_job_status", { jobId: first.jobId, waitMs: 50_001 });
    assert.equal(tooLong.isError, true, "waits over 50 s are refused");
    assert.match(tooLong.message, /waitMs|50000/);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("a job status wait never runs past the caller's deadline", async () => {
  const bridge = await setupToolBridge({ policy: { fastReturnMs: 0 }, script: slowTurn(60_000) });
  try {
    const job = await bridge.service.read({ prompt: "slow" });
    const started = performance.now();
    const view = await bridge.service.jobStatus(job.jobId, 40_000, { deadline: Date.now() + 3_300 });
    const waited = performance.now() - started;
    assert.equal(view.status, "running");
    assert.ok(waited < 2_000, `stopped ${Math.round(waited)} ms in, 3 s before the deadline`);
    // Positive control: without a deadline the same wait does last.
    const control = performance.now();
    await bridge.service.jobStatus(job.jobId, 300);
    assert.ok(performance.now() - control >= 250);
  } finally {
    await bridge.cleanup();
  }
});

Deno.test("codex_cancel stops a running job, keeps what it did, and the thread takes a reply", async () => {
  const bridge = await setupToolBridge({ policy: { fastReturnMs: 0 }, script: slowTurn(60_000) });
  const client = await bridge.connect();
  try {
    const first = await call(client, "codex_read", { prompt: "slow" });
    const cancelled = await call(client, "codex_cancel", { jobId: first.jobId });
    assert.equal(cancelled.isError, false, cancelled.message);
    assert.equal(cancelled.status, "cancelled");
    assert.equal(cancelled.text, "halfway there", "the last message Codex wrote is kept");
    assert.equal(cancelled.progress.commandsStarted, 1);
    assert.equal(bridge.upstream.calls[0].request.signal.aborted, true, "the upstream turn was told to stop");
    assert.ok(cancelled.next.includes(`codex_reply with {"threadId":"slow-thread"`), cancelled.next);
    const again = await call(client, "codex_cancel", { jobId: first.jobId });
    assert.equal(again.isError, true);
    assert.match(again.error, /not running \(it is cancelled\)/);
    assert.match(again.next, /codex_job_status/);
    const unknown = await call(client, "codex_cancel", { jobId: "no-such-job" });
    assert.equal(unknown.isError, true);
    assert.match(unknown.error, /Unknown jobId "no-such-job"/);
    assert.match(unknown.next, /codex_jobs/);
    const reply = await call(client, "codex_reply", { threadId: "slow-thread", prompt: "go on", timeoutMs: 100 });
    assert.equal(bridge.upstream.calls.length, 2, reply.message);
    assert.equal(bridge.upstream.calls[1].kind, "continue");
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("the same requestId returns the same job, even when the retry races the first call", async () => {
  const bridge = await setupToolBridge({ policy: { fastReturnMs: 0 }, script: slowTurn(300) });
  const client = await bridge.connect();
  try {
    const [a, b] = await Promise.all([
      call(client, "codex_read", { prompt: "once", requestId: "req-1" }),
      call(client, "codex_read", { prompt: "once", requestId: "req-1" }),
    ]);
    assert.equal(a.jobId, b.jobId);
    const later = await call(client, "codex_read", { prompt: "once", requestId: "req-1" });
    assert.equal(later.jobId, a.jobId);
    assert.equal(bridge.upstream.calls.length, 1, "one Codex turn for three calls");
    const other = await call(client, "codex_run", { prompt: "x", requestId: "req-1" });
    assert.equal(other.isError, true);
    assert.match(other.error, /already used for a codex_read call/);
    // Positive control: another requestId starts another job.
    const fresh = await call(client, "codex_read", { prompt: "twice", requestId: "req-2" });
    assert.notEqual(fresh.jobId, a.jobId);
    assert.equal(bridge.upstream.calls.length, 2);
    const tooLong = await call(client, "codex_read", { prompt: "x", requestId: "r".repeat(129) });
    assert.equal(tooLong.isError, true);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("codex_jobs lists recent jobs newest first with the start of their prompt, by status", async () => {
  let turn = 0;
  const bridge = await setupToolBridge({
    policy: { fastReturnMs: 0 },
    script: (fake) => turn++ === 0 ? slowTurn(60_000, "t-slow")(fake) : { threadId: `t${turn}`, text: "ok" },
  });
  const client = await bridge.connect();
  try {
    const empty = await call(client, "codex_jobs", {});
    assert.deepEqual(empty.jobs, []);
    assert.match(empty.next, /codex_read or codex_run/);
    const slow = await call(client, "codex_read", { prompt: "S".repeat(300) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const quick = await call(client, "codex_read", { prompt: "quick one" });
    await call(client, "codex_job_status", { jobId: quick.jobId, waitMs: 5_000 });
    const all = await call(client, "codex_jobs", {});
    assert.deepEqual(all.jobs.map((job: { jobId: string }) => job.jobId), [quick.jobId, slow.jobId]);
    assert.equal(all.jobs[1].prompt, "S".repeat(100));
    assert.equal(all.jobs[1].tool, "codex_read");
    assert.equal(all.jobs[1].threadId, "t-slow");
    assert.ok(all.next.includes(slow.jobId), "next points at the running job");
    const running = await call(client, "codex_jobs", { status: "running" });
    assert.deepEqual(running.jobs.map((job: { jobId: string }) => job.jobId), [slow.jobId]);
    const one = await call(client, "codex_jobs", { limit: 1 });
    assert.equal(one.jobs.length, 1);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("a failed job and every tool error carry next, without the owner's URLs, ports or paths", async () => {
  const bridge = await setupToolBridge({
    script: () =>
      Promise.reject(
        new UpstreamError(
          "Codex failed: unexpected status 401 Unauthorized: Missing bearer, url: http://127.0.0.1:43117/v1/responses " +
            "(log in /home/owner/.codex/log/codex-tui.log, peer [::1]:8080)",
        ),
      ),
  });
  const client = await bridge.connect();
  try {
    const failed = await call(client, "codex_read", { prompt: "x" });
    assert.equal(failed.isError, true);
    assert.equal(failed.status, "failed");
    assert.match(failed.error, /unexpected status 401 Unauthorized/, "the reason itself is kept");
    for (const leak of ["127.0.0.1", "43117", "/v1/responses", "/home/owner", "8080", "::1"]) {
      assert.ok(!JSON.stringify(failed).includes(leak), `${leak} reached the model: ${failed.error}`);
    }
    assert.match(failed.next, /bridge_status/);
    // Thrown errors get structuredContent too, and a root the model was shown stays named (positive control).
    const escape = await call(client, "codex_read", { prompt: "x", cwd: "/etc" });
    assert.equal(escape.isError, true);
    assert.equal(typeof escape.error, "string");
    assert.match(escape.next, /bridge_status/);
    assert.ok(!escape.error.includes("/etc"), escape.error);
    const missing = join(bridge.root, "missing");
    const absent = await call(client, "codex_read", { prompt: "x", cwd: missing });
    assert.equal(absent.isError, true);
    assert.ok(absent.error.includes(await Deno.realPath(bridge.root)), absent.error);
    const unknown = await call(client, "codex_reply", { threadId: "nope", prompt: "x" });
    assert.match(unknown.next, /codex_run/);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});
