/**
 * Load, bounded in count and time, loopback only: 200 concurrent MCP clients
 * make 1000 calls against the launched bridge driving the instant fake Codex.
 * Zero errors, every job's result retrievable afterwards, RSS (read settled,
 * before and after alike) at most 30 MiB above the warmed-up idle figure,
 * registries within their caps; and jobs beyond --max-jobs get a clear
 * "busy, retry" error instead of piling up.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/client";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { connectClient, structured, textOf } from "../fixtures/bridge_client.ts";
import { residentBytes, settledResidentBytes, waitForNoProcesses } from "../fixtures/processes.ts";

const TOKEN = "load-token-0123456789abcdef";
const FAKE = join(PROJECT_DIR, "tests/fixtures/fake_codex.ts");
const CLIENTS = 200;
const CALLS_PER_CLIENT = 5;
/** The target: RSS after the run at most this far above the idle figure before it. */
const MAX_GROWTH_MIB = 30;

async function launch(extra: string[]) {
  const root = await Deno.makeTempDir({ prefix: "load-root-" });
  const home = await Deno.makeTempDir({ prefix: "load-home-" });
  const bridge = await startBridgeProcess({
    args: ["--root", root, "--token", TOKEN, "--codex", FAKE, ...extra],
    env: { CODEX_HOME: home },
  });
  return {
    bridge,
    async cleanup() {
      assert.equal(await bridge.stop(), 0, bridge.stderr());
      assert.deepEqual(await waitForNoProcesses("CODEX_HOME", home), []);
      await Deno.remove(root, { recursive: true });
      await Deno.remove(home, { recursive: true });
    },
  };
}

Deno.test({
  name: "load: 200 concurrent clients, 1000 calls, no errors, results kept, memory bounded",
  sanitizeResources: false,
  fn: async () => {
    const { bridge, cleanup } = await launch(["--max-jobs", "256"]);
    try {
      // ./codex-gpt-bridge becomes the serving process (exec): no launcher stage beside it.
      const serving = bridge.pid;
      const client0 = await connectClient(bridge.url, { token: TOKEN });
      const memory = async () => structured(await client0.callTool({ name: "bridge_status", arguments: {} })).memory;
      const burst = async () => {
        const errors: string[] = [];
        const jobIds: string[] = [];
        let calls = 0;
        let peak = 0;
        const sampler = setInterval(async () => peak = Math.max(peak, (await residentBytes(serving)) ?? 0), 100);
        // The clients' own connection pool, closed when they are done: 200 clients come and go, as they would
        // from 200 machines, rather than leaving 200 idle keep-alive connections in this process's pool.
        const http = Deno.createHttpClient({});
        const viaPool = (request: Request) => fetch(request, { client: http });
        await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
          let client: Client | undefined;
          try {
            client = await connectClient(bridge.url, {
              token: TOKEN,
              era: i % 2 ? "modern" : "legacy",
              fetch: viaPool,
            });
            const check = (result: unknown, what: string) => {
              calls++;
              if ((result as { isError?: boolean }).isError) errors.push(`${what}: ${textOf(result)}`);
            };
            calls++;
            await client.listTools();
            check(await client.callTool({ name: "bridge_status", arguments: {} }), "bridge_status");
            const read = await client.callTool({ name: "codex_read", arguments: { prompt: `client ${i}` } });
            check(read, "codex_read");
            const jobId = structured(read)?.jobId;
            if (jobId) jobIds.push(jobId);
            check(await client.callTool({ name: "codex_job_status", arguments: { jobId } }), "codex_job_status");
            check(await client.callTool({ name: "bridge_status", arguments: {} }), "bridge_status");
          } catch (error) {
            errors.push(String(error));
          } finally {
            await client?.close().catch(() => {});
          }
        }));
        clearInterval(sampler);
        http.close();
        return { errors, jobIds, calls, peak };
      };
      // Idle figure of a warmed-up bridge: every tool called once (this also starts the Codex child).
      const warm = await client0.callTool({ name: "codex_read", arguments: { prompt: "warm-up" } });
      await client0.callTool({ name: "codex_job_status", arguments: { jobId: structured(warm).jobId } });
      await client0.listTools();
      // Before and after are read the same way, once RSS has settled (V8 shrinks a few seconds after work).
      const rssBefore = (await settledResidentBytes(serving)).bytes;
      const started = performance.now();
      const { errors, jobIds, calls, peak } = await burst();
      const seconds = (performance.now() - started) / 1000;
      // Every job's result stays retrievable.
      let retrievable = 0;
      for (const jobId of jobIds) {
        const status = structured(await client0.callTool({ name: "codex_job_status", arguments: { jobId } }));
        if (status.status === "completed" && /^ECHO: client \d+$/.test(status.text)) retrievable++;
      }
      const status = structured(await client0.callTool({ name: "bridge_status", arguments: {} }));
      const settled = await settledResidentBytes(serving);
      const rssAfter = settled.bytes;
      const rssGrowthMiB = (rssAfter - rssBefore) / 2 ** 20;
      const heap = (await memory()).heapUsedMiB;
      await client0.close();
      const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
      console.log(
        `load: ${CLIENTS} clients, ${calls} calls in ${seconds.toFixed(1)} s, ${errors.length} errors, ` +
          `${retrievable}/${jobIds.length} results retrievable, RSS idle ${mib(rssBefore)} MiB, peak ` +
          `${mib(peak)} MiB, ${settled.seconds.toFixed(1)} s after the run ${mib(rssAfter)} MiB ` +
          `(${rssGrowthMiB >= 0 ? "+" : ""}${
            rssGrowthMiB.toFixed(1)
          }, limit ${MAX_GROWTH_MIB}), JS heap ${heap} MiB, ` +
          `jobs kept ${status.jobs.completed + status.jobs.failed}/1000, threads ${status.threads}/1000`,
      );
      assert.deepEqual(errors.slice(0, 5), []);
      assert.equal(calls, CLIENTS * CALLS_PER_CLIENT);
      assert.equal(retrievable, CLIENTS);
      assert.ok(
        rssGrowthMiB <= MAX_GROWTH_MIB,
        `RSS settled ${rssGrowthMiB.toFixed(1)} MiB above idle after the run`,
      );
      assert.ok(status.jobs.completed + status.jobs.failed <= 1000);
      assert.ok(status.threads <= 1000);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "load: jobs beyond --max-jobs get a clear busy error instead of piling up",
  sanitizeResources: false,
  fn: async () => {
    const { bridge, cleanup } = await launch(["--max-jobs", "2", "--fast-return-ms", "100"]);
    try {
      const client = await connectClient(bridge.url, { token: TOKEN });
      const results = await Promise.all(
        Array.from(
          { length: 5 },
          (_, i) => client.callTool({ name: "codex_read", arguments: { prompt: `DELAY{1500} ${i}` } }),
        ),
      );
      const busy = results.filter((r) => r.isError && /^Busy: 2 Codex jobs are already running.*retry/.test(textOf(r)));
      const running = results.filter((r) => structured(r)?.status === "running");
      assert.equal(running.length, 2);
      assert.equal(busy.length, 3);
      const status = structured(await client.callTool({ name: "bridge_status", arguments: {} }));
      assert.equal(status.jobs.running, 2);
      await client.close();
    } finally {
      await cleanup();
    }
  },
});
