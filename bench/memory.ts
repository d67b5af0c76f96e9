/**
 * 5. Memory: resident size of the serving process idle, after 1000 finished
 * jobs (each a new thread, so also 1000 threads) once it has handed the
 * burst's memory back (bounded wait), vs a bare Deno process.
 * @module
 */
import { connectClient } from "../tests/fixtures/bridge_client.ts";
import { settledResidentBytes } from "../tests/fixtures/processes.ts";
import { launchBaseline, launchBridge } from "./processes.ts";
import { type BenchRow, row } from "./stats.ts";

const MiB = 2 ** 20;

export async function benchMemory(root: string): Promise<BenchRow[]> {
  const baseline = await launchBaseline();
  const bare = (await settledResidentBytes(baseline.pid)).bytes / MiB;
  await baseline.stop();

  const bridge = await launchBridge(root, ["--max-jobs", "16"]);
  // ./codex-gpt-bridge becomes the serving process (exec): no launcher stage beside it.
  const serving = bridge.pid;
  const client = await connectClient(bridge.url);
  await client.callTool({ name: "bridge_status", arguments: {} });
  // Both figures once RSS has settled: V8 shrinks its heap a few seconds after work stops.
  const idle = (await settledResidentBytes(serving)).bytes / MiB;
  // Ten at a time: jobs, each on its own thread, all finished and kept in the registries.
  for (let i = 0; i < 1000; i += 10) {
    await Promise.all(
      Array.from(
        { length: 10 },
        (_, k) => client.callTool({ name: "codex_read", arguments: { prompt: `job ${i + k}` } }),
      ),
    );
  }
  const loaded = (await settledResidentBytes(serving)).bytes / MiB;
  await client.close();
  await bridge.stop();
  return [
    row("RSS idle vs bare Deno.serve", idle, bare, "MiB", "≤ 80 MiB", idle <= 80),
    row("RSS after 1000 jobs / 1000 threads vs idle", loaded, idle, "MiB", "≤ idle + 20 MiB", loaded - idle <= 20),
  ];
}
