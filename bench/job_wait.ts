/**
 * 7. Long work: 200 clients waiting on one job with `codex_job_status`
 * waitMs, and when their answers arrive after the job's end (p99), against
 * the time the same 200 calls take on a job already ended (the cost of
 * answering, with no waiting at all); and what the state database adds to a
 * tool call (p50), in process, against the same bridge without one.
 * @module
 */
import { connectClient, structured } from "../tests/fixtures/bridge_client.ts";
import { setupToolBridge } from "../tests/fixtures/tool_bridge.ts";
import { openDatabase } from "../src/state/database.ts";
import { SqliteJobRepository } from "../src/state/job_repository.ts";
import { SqliteThreadRepository } from "../src/state/thread_repository.ts";
import { launchBridge, rpcPost } from "./processes.ts";
import { type BenchRow, row, summary, timeEach } from "./stats.ts";

const WAITERS = 200;
const CALLS = 300;

export async function benchJobWait(root: string): Promise<BenchRow[]> {
  const bridge = await launchBridge(root, ["--fast-return-ms", "0"]);
  const client = await connectClient(bridge.url);
  await client.callTool({ name: "codex_read", arguments: { prompt: "warm" } });
  const job = structured(await client.callTool({ name: "codex_read", arguments: { prompt: "DELAY{3000} job" } }));
  // Plain JSON-RPC posts, as light as a client can be, so the figure is the bridge's, not the client library's.
  const answeredAt: number[] = [];
  await Promise.all(Array.from({ length: WAITERS }, async () => {
    const response = await rpcPost(bridge.url, "tools/call", {
      name: "codex_job_status",
      arguments: { jobId: job.jobId, waitMs: 30_000 },
    });
    const body = await response.text();
    if (body.includes('\\"status\\":\\"completed\\"') || body.includes('"status":"completed"')) {
      answeredAt.push(Date.now());
    }
  }));
  // The bridge's own record of the end (same machine, same clock).
  const listed = structured(await client.callTool({ name: "codex_jobs", arguments: {} })).jobs;
  const record = listed.find((entry: { jobId: string }) => entry.jobId === job.jobId);
  const finishedAt = record.startedAt + record.elapsedMs;
  const late = summary(answeredAt.map((at) => at - finishedAt));
  // Baseline: the same 200 calls on the finished job, sent together: the cost of answering them at all.
  const sent = Date.now();
  const immediate: number[] = [];
  await Promise.all(Array.from({ length: WAITERS }, async () => {
    const response = await rpcPost(bridge.url, "tools/call", {
      name: "codex_job_status",
      arguments: { jobId: job.jobId, waitMs: 30_000 },
    });
    await response.text();
    immediate.push(Date.now() - sent);
  }));
  const answering = summary(immediate);
  await client.close();
  await bridge.stop();

  const withoutDb = await callTimes();
  const stateDir = await Deno.makeTempDir({ prefix: "bench-state-" });
  const state = await openDatabase(stateDir);
  const withDb = await callTimes({
    jobs: { repository: new SqliteJobRepository(state) },
    threads: { repository: new SqliteThreadRepository(state) },
  });
  state.close();
  await Deno.remove(stateDir, { recursive: true });
  return [
    // Baseline: how long the same 200 calls take to be answered when the job has already ended.
    row(
      `codex_job_status waitMs: answer after the job's end, p99 of ${WAITERS} waiters vs answering them at all`,
      late.p99,
      answering.p50,
      "ms",
      "≤ 50 ms, all answered",
      late.p99 <= 50 && answeredAt.length === WAITERS,
    ),
    row(
      "codex_read p50 with the state database vs without",
      withDb.p50,
      withoutDb.p50,
      "ms",
      "≤ +1 ms",
      withDb.p50 - withoutDb.p50 <= 1,
    ),
  ];
}

/** p50/p99 of codex_read through the in-process handler (instant fake Codex). */
async function callTimes(options: Parameters<typeof setupToolBridge>[0] = {}) {
  const bridge = await setupToolBridge({ ...options, policy: { secretScan: false } });
  const client = await bridge.connect();
  const call = (i: number) => client.callTool({ name: "codex_read", arguments: { prompt: `call ${i}` } });
  await timeEach(30, call);
  const times = summary(await timeEach(CALLS, call));
  await client.close();
  await bridge.cleanup();
  return times;
}
