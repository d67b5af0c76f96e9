/**
 * 2. HTTP throughput: `tools/list` and `bridge_status` per second with 32
 * concurrent connections vs a bare Deno.serve answering fixed JSON.
 * @module
 */
import { launchBaseline, launchBridge, rpcPost } from "./processes.ts";
import { type BenchRow, row } from "./stats.ts";

const CONCURRENCY = 32;
const SECONDS = 3;

async function requestsPerSecond(send: () => Promise<Response>): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < deadline) {
      const response = await send();
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      done++;
    }
  }));
  return done / SECONDS;
}

export async function benchThroughput(root: string): Promise<BenchRow[]> {
  const baseline = await launchBaseline();
  const ceiling = await requestsPerSecond(() => rpcPost(baseline.url, "tools/list"));
  await baseline.stop();
  const bridge = await launchBridge(root);
  const list = await requestsPerSecond(() => rpcPost(bridge.url, "tools/list"));
  const status = await requestsPerSecond(() =>
    rpcPost(bridge.url, "tools/call", { name: "bridge_status", arguments: {} })
  );
  await bridge.stop();
  return [
    row("tools/list req/s (32 conns) vs bare Deno.serve", list, ceiling, "req/s", "≥ 0.40×", list / ceiling >= 0.4),
    row(
      "bridge_status req/s (32 conns) vs bare Deno.serve",
      status,
      ceiling,
      "req/s",
      "≥ 0.40×",
      status / ceiling >= 0.4,
    ),
  ];
}
