/**
 * 4. Start-up, each against a bare Deno process started the same way:
 * - `serve`: process start to the first answered `tools/list`, warm (packages installed, code cache filled) with
 *   the launch plan reused and made afresh, and a first start from a fresh copy of the checkout with an empty
 *   DENO_DIR (the npm fetch included);
 * - `chatgpt`: process start to the answered `initialize` + `tools/list` over stdio, warm, its plan reused;
 * - for reference, the floor of an SDK-based server: a bare McpServer with seven tools.
 * @module
 */
import { join } from "node:path";
import { launchBaseline, launchBridge, launchSdkFloor, rpcPost } from "./processes.ts";
import { pickFreePort } from "../src/permissions/relaunch.ts";
import { MEMORY_FLAGS } from "../src/permissions/memory_flags.ts";
import { type BenchRow, quantile, row } from "./stats.ts";
import { PROJECT_DIR, startBridgeProcess, testLaunchCache } from "../tests/fixtures/bridge_process.ts";
import { copyCheckout, registryEnv } from "../tests/fixtures/checkout_copy.ts";
import { listToolsOverStdio } from "../tests/fixtures/stdio_tools_list.ts";

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
  try {
    await listToolsOverStdio(child);
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")}: ${(error as Error).message}`);
  }
  const elapsed = performance.now() - began;
  await child.stdin.close().catch(() => {});
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
  const sdkFloor = await median(5, () => firstAnswer(launchSdkFloor));
  const first = await firstStart(root);
  // A fresh port and state folder each time (port 0): the launch plan is made afresh at every start.
  await firstAnswer(() => launchBridge(root));
  const planned = await median(7, () => firstAnswer(() => launchBridge(root)));
  // A user's repeated starts: same port, same state folder. The first start caches the plan (and fills
  // Deno's code cache); the median of the next ones is the warm figure.
  const stateDir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "bench-start-state-" });
  const fixed = { port: pickFreePort("127.0.0.1"), stateDir };
  let warm: number;
  try {
    await firstAnswer(() => launchBridge(root, [], fixed));
    warm = await median(7, () => firstAnswer(() => launchBridge(root, [], fixed)));
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
  const env = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    XDG_CACHE_HOME: testLaunchCache(),
  };
  const chatgpt = () =>
    stdioFirstAnswer(join(PROJECT_DIR, "codex-gpt-bridge"), ["chatgpt"], {
      ...env,
      OPENAI_API_KEY: "sk-bench-not-used",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    });
  await chatgpt();
  const chatgptWarm = await median(7, chatgpt);
  const bareStdio = await median(5, () => stdioFirstAnswer(Deno.execPath(), ["eval", BARE_STDIO], env));
  const floorArgs = [
    "run",
    "--quiet",
    "--config",
    join(PROJECT_DIR, "deno.json"),
    ...MEMORY_FLAGS,
    join(PROJECT_DIR, "bench/sdk_floor_server.ts"),
    "stdio",
  ];
  const stdioFloor = await median(5, () => stdioFirstAnswer(Deno.execPath(), floorArgs, env));
  return [
    row("serve first start, empty DENO_DIR (npm fetch included)", first, bare, "ms", "one line, then starts", true),
    row("MCP SDK floor: bare McpServer, 7 tools, first answer", sdkFloor, bare, "ms", "(reference)", true),
    row("serve start-up to first answer, warm, plan made afresh", planned, bare, "ms", "(reference)", true),
    row("serve start-up to first answer, warm (cached plan)", warm, bare, "ms", "≤ 300 ms", warm <= 300),
    row("MCP SDK floor over stdio: initialize + tools/list", stdioFloor, bareStdio, "ms", "(reference)", true),
    row(
      "chatgpt initialize + tools/list, warm (cached plan)",
      chatgptWarm,
      bareStdio,
      "ms",
      "≪ 354 ms",
      chatgptWarm < 300,
    ),
  ];
}
