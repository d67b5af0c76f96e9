/**
 * 4. Start-up, each against a bare Deno process started the same way:
 * - `serve`: process start to the first answered `tools/list`, warm (packages installed, code cache filled), and a
 *   first start from a fresh copy of the checkout with an empty DENO_DIR (the npm fetch included);
 * - `chatgpt`: process start to the answered `initialize` + `tools/list` over stdio, warm.
 * @module
 */
import { join } from "node:path";
import { launchBaseline, launchBridge, rpcPost } from "./processes.ts";
import { type BenchRow, quantile, row } from "./stats.ts";
import { PROJECT_DIR, startBridgeProcess } from "../tests/fixtures/bridge_process.ts";
import { copyCheckout, registryEnv } from "../tests/fixtures/checkout_copy.ts";

async function firstAnswer(start: () => Promise<{ url: string; stop: () => Promise<unknown> }>): Promise<number> {
  const began = performance.now();
  const server = await start();
  const response = await rpcPost(server.url, "tools/list");
  await response.arrayBuffer();
  const elapsed = performance.now() - began;
  await server.stop();
  return elapsed;
}

/** Starts `command` with `args` on stdio, sends initialize + tools/list, resolves when tools/list is answered. */
async function stdioFirstAnswer(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const began = performance.now();
  const child = new Deno.Command(command, {
    args,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  })
    .spawn();
  const writer = child.stdin.getWriter();
  const send = (message: unknown) => writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  await send({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  });
  await send({ jsonrpc: "2.0", method: "notifications/initialized" });
  await send({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
  let text = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!text.split("\n").some((line) => line.startsWith('{"') && JSON.parse(line).id === 2)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${command} ${args.join(" ")} closed stdout before answering tools/list`);
    text += value;
  }
  const elapsed = performance.now() - began;
  reader.cancel().catch(() => {});
  await writer.close().catch(() => {});
  await child.status;
  return elapsed;
}

/** A bare Deno stdio server answering every line at once: the floor for a stdio start. */
const BARE_STDIO = `for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  for (const line of chunk.split("\\n").filter(Boolean)) {
    const { id } = JSON.parse(line);
    if (id !== undefined) console.log(JSON.stringify({ jsonrpc: "2.0", id, result: {} }));
  }
}`;

/** First start from a fresh copy with an empty DENO_DIR: fetch, then the first answer. */
async function firstStart(root: string): Promise<number> {
  const base = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "bench-first-start-" });
  try {
    await copyCheckout(join(base, "checkout"));
    return await firstAnswer(() =>
      startBridgeProcess({
        projectDir: join(base, "checkout"),
        args: ["--root", root, "--no-auth", "--codex", join(base, "no-codex")],
        env: { ...registryEnv(), DENO_DIR: join(base, "deno"), HOME: base },
        startTimeoutMs: 300_000,
      })
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const median = async (count: number, sample: () => Promise<number>) => {
  const samples = [];
  for (let i = 0; i < count; i++) samples.push(await sample());
  return quantile(samples, 0.5);
};

export async function benchStartup(root: string): Promise<BenchRow[]> {
  const bare = await median(5, () => firstAnswer(launchBaseline));
  const first = await firstStart(root);
  // One start fills Deno's code cache for this checkout; the median of the next ones is the warm figure.
  await firstAnswer(() => launchBridge(root));
  const warm = await median(7, () => firstAnswer(() => launchBridge(root)));
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? "/tmp" };
  const chatgpt = () =>
    stdioFirstAnswer(join(PROJECT_DIR, "codex-gpt-bridge"), ["chatgpt"], {
      ...env,
      OPENAI_API_KEY: "sk-bench-not-used",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    });
  await chatgpt();
  const chatgptWarm = await median(7, chatgpt);
  const bareStdio = await median(5, () => stdioFirstAnswer(Deno.execPath(), ["eval", BARE_STDIO], env));
  return [
    row("serve first start, empty DENO_DIR (npm fetch included)", first, bare, "ms", "one line, then starts", true),
    row("serve start-up to first answer, warm", warm, bare, "ms", "≤ 300 ms", warm <= 300),
    row("chatgpt initialize + tools/list, warm", chatgptWarm, bareStdio, "ms", "≪ 354 ms", chatgptWarm < 300),
  ];
}
