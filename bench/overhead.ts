/**
 * 1. Bridge overhead: `codex_read` through the bridge's HTTP endpoint vs the
 * same turn sent straight to the same instant fake Codex over stdio.
 * @module
 */
import { AppServerAdapter } from "../src/upstream/app_server_adapter.ts";
import { silentLogger } from "../src/log.ts";
import { connectClient } from "../tests/fixtures/bridge_client.ts";
import { FAKE_CODEX, launchBridge } from "./processes.ts";
import { type BenchRow, row, summary, timeEach } from "./stats.ts";

const CALLS = 300;

export async function benchOverhead(root: string): Promise<BenchRow[]> {
  const adapter = new AppServerAdapter({
    codexPath: FAKE_CODEX,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" },
    log: silentLogger,
  });
  const turn = (prompt: string) =>
    adapter.startThread({
      prompt,
      cwd: root,
      sandbox: "read-only",
      approvalPolicy: "never",
      signal: new AbortController().signal,
      onEvent: () => {},
    });
  await timeEach(20, (i) => turn(`warm ${i}`));
  const direct = summary(await timeEach(CALLS, (i) => turn(`direct ${i}`)));
  await adapter.close();

  const bridge = await launchBridge(root, ["--max-jobs", "16"]);
  const client = await connectClient(bridge.url);
  const call = (prompt: string) => client.callTool({ name: "codex_read", arguments: { prompt } });
  await timeEach(20, (i) => call(`warm ${i}`));
  const through = summary(await timeEach(CALLS, (i) => call(`bridge ${i}`)));
  await client.close();
  await bridge.stop();

  const added50 = through.p50 - direct.p50, added99 = through.p99 - direct.p99;
  return [
    row("codex_read p50 via bridge (HTTP) vs direct stdio", through.p50, direct.p50, "ms", "≤ +2 ms", added50 <= 2),
    row("codex_read p99 via bridge (HTTP) vs direct stdio", through.p99, direct.p99, "ms", "≤ +10 ms", added99 <= 10),
  ];
}
