/** Starting the bridge and the baseline server as processes, for benchmarks. @module */
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../tests/fixtures/bridge_process.ts";

/** The scripted fake Codex (app-server protocol, instant unless told to wait). */
export const FAKE_CODEX = join(PROJECT_DIR, "tests/fixtures/fake_codex.ts");

/** Starts `./codex-gpt-bridge serve` against the fake Codex, without auth, on a free port. */
export async function launchBridge(root: string, extra: string[] = []) {
  return await startBridgeProcess({ args: ["--root", root, "--no-auth", "--codex", FAKE_CODEX, ...extra] });
}

/** Starts the bare Deno.serve baseline; resolves with its URL and a stop function. */
export async function launchBaseline(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-net=127.0.0.1", join(PROJECT_DIR, "bench/fixed_json_server.ts")],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("baseline server exited");
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
