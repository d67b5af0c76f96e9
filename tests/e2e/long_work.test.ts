/**
 * End to end, long work the way ChatGPT does it, with the real Codex
 * (current version, app-server) and a scripted slow model: a bounded wait
 * that answers when the job ends, a retried requestId, a cancel in the middle
 * of a command, a restart between a job and its reply, and a crash.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { scriptedModel } from "../fixtures/scripted_model.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { type BridgeProcess, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { call, connectClient } from "../fixtures/bridge_client.ts";
import { childPids, processesWithEnv, waitForNoProcesses } from "../fixtures/processes.ts";

const TOKEN = "e2e-long-token-0123456789abcdef";

/** Processes whose command line contains `text` (a marker only this test uses). */
async function processesRunning(text: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    if (cmdline.replaceAll("\0", " ").includes(text)) found.push(Number(entry.name));
  }
  return found;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${limitMs} ms`);
}

Deno.test({
  name: `e2e: Codex ${CURRENT_CODEX} jobs wait, cancel, and survive a restart and a crash of the bridge`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const model = await startFakeResponsesApi({ reply: scriptedModel });
    const home = await createCodexHome({ modelBaseUrl: model.baseUrl, dir: "/var/tmp" });
    const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "bridge-long-", dir: "/var/tmp" }));
    const root = join(base, "root"), stateDir = join(base, "state");
    await Deno.mkdir(root);
    await Deno.writeTextFile(join(root, "hello.txt"), "hello");
    const args = ["--root", root, "--codex", codexBinary(CURRENT_CODEX), "--token", TOKEN, "--fast-return-ms", "0"];
    const start = () => startBridgeProcess({ args, env: home.env, stateDir });
    let bridge: BridgeProcess | undefined = await start();
    let client = await connectClient(bridge.url, { token: TOKEN });
    const restart = async () => {
      await client.close();
      assert.equal(await bridge!.stop(), 0, bridge!.stderr());
      bridge = await start();
      client = await connectClient(bridge.url, { token: TOKEN });
    };
    try {
      let threadId = "";
      let finishedJob = "";

      await t.step(
        "codex_job_status with waitMs answers when the job completes, not at the end of the wait",
        async () => {
          const first = await call(client, "codex_read", { prompt: "DELAY{3000} slow hello", cwd: root });
          assert.equal(first.status, "running", first.message);
          const started = Date.now();
          const done = await call(client, "codex_job_status", { jobId: first.jobId, waitMs: 50_000 });
          assert.equal(done.status, "completed", done.message);
          assert.match(done.text, /ECHO: DELAY\{3000\} slow hello/);
          assert.ok(Date.now() - started < 30_000, "answered long before the 50 s wait ended");
          assert.ok(done.next.includes(done.threadId));
          assert.ok(done.progress.tokens?.totalTokens > 0, JSON.stringify(done.progress));
          threadId = done.threadId;
          finishedJob = done.jobId;
        },
      );

      await t.step(
        "a model and effort Codex lists reach the model; the thread keeps them; others are refused",
        async () => {
          const status = await call(client, "bridge_status", {});
          const choice = status.models.choices.find((c: { efforts: string[] }) => c.efforts.includes("high"));
          assert.ok(choice, JSON.stringify(status.models));
          const run = await call(client, "codex_read", {
            prompt: "DELAY{10} pick",
            cwd: root,
            model: choice.model,
            reasoningEffort: "high",
          });
          const done = run.status === "running"
            ? await call(client, "codex_job_status", { jobId: run.jobId, waitMs: 40_000 })
            : run;
          assert.equal(done.status, "completed", done.message);
          const asked = model.requests.at(-1)!.body;
          assert.equal(asked.model, choice.model);
          assert.equal(asked.reasoning?.effort, "high");
          const reply = await call(client, "codex_reply", { threadId: done.threadId, prompt: "DELAY{10} again" });
          const replied = reply.status === "running"
            ? await call(client, "codex_job_status", { jobId: reply.jobId, waitMs: 40_000 })
            : reply;
          assert.equal(replied.status, "completed", replied.message);
          assert.equal(model.requests.at(-1)!.body.model, choice.model, "the reply keeps the thread's model");
          const refused = await call(client, "codex_read", { prompt: "x", cwd: root, model: "no-such-model" });
          assert.equal(refused.isError, true);
          assert.match(
            refused.error,
            new RegExp(`not allowed here; allowed: .*${choice.model.replaceAll(".", "\\.")}`),
          );
        },
      );

      await t.step("a retried requestId gets the same job, not a second Codex turn", async () => {
        const before = model.requests.length;
        const [a, b] = await Promise.all([
          call(client, "codex_read", { prompt: "DELAY{500} once", cwd: root, requestId: "e2e-once" }),
          call(client, "codex_read", { prompt: "DELAY{500} once", cwd: root, requestId: "e2e-once" }),
        ]);
        assert.equal(a.jobId, b.jobId);
        const done = await call(client, "codex_job_status", { jobId: a.jobId, waitMs: 40_000 });
        assert.equal(done.status, "completed", done.message);
        const again = await call(client, "codex_read", { prompt: "DELAY{500} once", cwd: root, requestId: "e2e-once" });
        assert.equal(again.jobId, a.jobId);
        assert.equal(model.requests.length - before, 1, "the model saw one turn");
      });

      await t.step("codex_cancel mid-command ends the command's process; the thread answers a reply", async () => {
        const marker = "sleep 417";
        const job = await call(client, "codex_run", { prompt: `RUN{${marker}}`, cwd: root });
        assert.equal(job.status, "running", job.message);
        await until("the command runs", async () => (await processesRunning(marker)).length > 0 || undefined);
        const seen = await until("the job shows the command", async () => {
          const status = await call(client, "codex_job_status", { jobId: job.jobId, waitMs: 200 });
          return status.progress.commandsStarted > 0 ? status : undefined;
        }, 15_000);
        assert.equal(seen.progress.lastCommand.includes(marker), true, JSON.stringify(seen.progress));
        const cancelled = await call(client, "codex_cancel", { jobId: job.jobId });
        assert.equal(cancelled.isError, false, cancelled.message);
        assert.equal(cancelled.status, "cancelled", cancelled.message);
        assert.equal(cancelled.progress.commandsStarted, 1);
        const left = await until("the command is gone", async () => {
          const pids = await processesRunning(marker);
          return pids.length === 0 ? pids : undefined;
        }, 15_000);
        assert.deepEqual(left, []);
        const reply = await call(client, "codex_reply", { threadId: cancelled.threadId, prompt: "still there?" });
        const done = reply.status === "running"
          ? await call(client, "codex_job_status", { jobId: reply.jobId, waitMs: 40_000 })
          : reply;
        assert.equal(done.status, "completed", done.message);
        assert.match(done.text, /ECHO: still there\?/);
      });

      await t.step("after a restart the finished job is still there and its thread takes a reply", async () => {
        await restart();
        const old = await call(client, "codex_job_status", { jobId: finishedJob, waitMs: 0 });
        assert.equal(old.status, "completed", old.message);
        assert.match(old.text, /slow hello/);
        const reply = await call(client, "codex_reply", { threadId, prompt: "after the restart" });
        const done = reply.status === "running"
          ? await call(client, "codex_job_status", { jobId: reply.jobId, waitMs: 40_000 })
          : reply;
        assert.equal(done.status, "completed", done.message);
        assert.match(done.text, /ECHO: after the restart/);
      });

      await t.step("a job running when the bridge is killed is interrupted at the next start", async () => {
        const job = await call(client, "codex_read", { prompt: "DELAY{60000} forever", cwd: root });
        assert.equal(job.status, "running", job.message);
        await until(
          "Codex runs the turn",
          async () => (await processesWithEnv("CODEX_HOME", home.path)).length > 0 || undefined,
        );
        // SIGKILL the serving process: the confined stage, which ./codex-gpt-bridge exec'd (or a launcher's child).
        const serving = await until("the serving process", async () => {
          for (const pid of [bridge!.pid, ...await childPids(bridge!.pid)]) {
            const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
            if (cmdline.includes("main.ts") && cmdline.includes("--allow-write=")) return pid;
          }
        });
        Deno.kill(serving, "SIGKILL");
        await bridge!.stop();
        for (const left of await waitForNoProcesses("CODEX_HOME", home.path, 10_000)) {
          try {
            Deno.kill(left.pid, "SIGKILL"); // an orphaned Codex: not the bridge's to clean any more
          } catch { /* gone */ }
        }
        await client.close().catch(() => {});
        bridge = await start();
        client = await connectClient(bridge.url, { token: TOKEN });
        const after = await call(client, "codex_job_status", { jobId: job.jobId, waitMs: 0 });
        assert.equal(after.status, "interrupted", after.message);
        assert.match(after.error, /bridge stopped while this job ran/);
        assert.match(after.next, /codex_reply|codex_run/);
        const listed = await call(client, "codex_jobs", { status: "interrupted" });
        assert.deepEqual(listed.jobs.map((j: { jobId: string }) => j.jobId), [job.jobId]);
      });
    } finally {
      await client.close().catch(() => {});
      if (bridge) await bridge.stop();
      await model.close();
      await home.remove();
      await Deno.remove(base, { recursive: true });
    }
  },
});
