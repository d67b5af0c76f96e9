/**
 * 6. Fast return: a job that takes 2 s answers in ≈ 2 s (no polling round
 * trip); and with 50 jobs running, `codex_job_status` stays fast.
 * @module
 */
import { connectClient, structured } from "../tests/fixtures/bridge_client.ts";
import { launchBridge } from "./processes.ts";
import { type BenchRow, row, summary, timeEach } from "./stats.ts";

export async function benchFastReturn(root: string): Promise<BenchRow[]> {
  const slow = await launchBridge(root);
  const client = await connectClient(slow.url);
  await client.callTool({ name: "codex_read", arguments: { prompt: "warm" } });
  const [twoSeconds] = await timeEach(
    1,
    () => client.callTool({ name: "codex_read", arguments: { prompt: "DELAY{2000}" } }),
  );
  await client.close();
  await slow.stop();

  const busy = await launchBridge(root, ["--max-jobs", "64", "--fast-return-ms", "50"]);
  const poller = await connectClient(busy.url);
  const jobIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    const result = await poller.callTool({ name: "codex_read", arguments: { prompt: `DELAY{60000} ${i}` } });
    jobIds.push(structured(result).jobId);
  }
  const polls = summary(
    await timeEach(
      500,
      (i) => poller.callTool({ name: "codex_job_status", arguments: { jobId: jobIds[i % 50], waitMs: 0 } }),
    ),
  );
  await poller.close();
  await busy.stop();
  return [
    row("2 s job answered directly (no polling)", twoSeconds, 2000, "ms", "≈ 2000 ms", twoSeconds < 2300),
    row("codex_job_status p99 with 50 jobs running", polls.p99, polls.p50, "ms", "≤ 20 ms", polls.p99 <= 20),
  ];
}
