/** Starting the bridge and the baseline server as processes, for benchmarks. @module */
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../tests/fixtures/bridge_process.ts";
import { MEMORY_FLAGS } from "../src/permissions/memory_flags.ts";

/** The scripted fake Codex (app-server protocol, instant unless told to wait). */
export const FAKE_CODEX = join(PROJECT_DIR, "tests/fixtures/fake_codex.ts");

/**
 * Starts `./codex-gpt-bridge serve` against the fake Codex, without auth, on a free port; given a fixed
 * `port` and `stateDir`, as a user's repeated starts are, so its launch plan is reused.
 */
export async function launchBridge(
  root: string,
  extra: string[] = [],
  fixed: { port?: number; stateDir?: string } = {},
) {
  return await startBridgeProcess({ args: ["--root", root, "--no-auth", "--codex", FAKE_CODEX, ...extra], ...fixed });
}

/** Starts the bare Deno.serve baseline; resolves with its URL and a stop function. */
export function launchBaseline(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  return launchScript("bench/fixed_json_server.ts");
}

/** Starts a bare McpServer with seven tools (bench/sdk_floor_server.ts): the floor for an SDK-based start. */
export function launchSdkFloor(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  return launchScript("bench/sdk_floor_server.ts");
}

async function launchScript(script: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      "--unstable-no-legacy-abort",
      ...MEMORY_FLAGS,
      join(PROJECT_DIR, script),
    ],
    cwd: PROJECT_DIR,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited`);
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    url: text.match(/listening on (\S+)/)![1],
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** A stateless JSON-RPC POST as a 2025-era client sends it. */
export function rpcPost(url: string, method: string, params: unknown = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
}
