/**
 * 4. Start-up: process start to the first answered MCP request, cold and
 * warm, vs a bare Deno.serve script started the same way.
 * @module
 */
import { launchBaseline, launchBridge, rpcPost } from "./processes.ts";
import { type BenchRow, quantile, row } from "./stats.ts";

async function firstAnswer(start: () => Promise<{ url: string; stop: () => Promise<unknown> }>): Promise<number> {
  const began = performance.now();
  const server = await start();
  const response = await rpcPost(server.url, "tools/list");
  await response.arrayBuffer();
  const elapsed = performance.now() - began;
  await server.stop();
  return elapsed;
}

export async function benchStartup(root: string): Promise<BenchRow[]> {
  const bridge = () => launchBridge(root);
  const cold = await firstAnswer(bridge);
  const warmSamples = [];
  for (let i = 0; i < 5; i++) warmSamples.push(await firstAnswer(bridge));
  const warm = quantile(warmSamples, 0.5);
  const bare = [];
  for (let i = 0; i < 5; i++) bare.push(await firstAnswer(launchBaseline));
  const baseline = quantile(bare, 0.5);
  return [
    row("start-up to first answer, cold", cold, baseline, "ms", "—", true),
    row("start-up to first answer, warm", warm, baseline, "ms", "≤ 300 ms", warm <= 300),
  ];
}
