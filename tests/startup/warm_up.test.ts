import assert from "node:assert/strict";
import { parseServeConfig } from "../../src/config/serve_config.ts";
import { silentLogger } from "../../src/log.ts";
import { pickFreePort } from "../../src/permissions/relaunch.ts";
import { startBridge } from "../../src/serve.ts";
import { FakeUpstream } from "../fixtures/fake_upstream.ts";

Deno.test("warmUp() answers in-process, and a client's tools/list after it still needs the bearer token", async () => {
  const root = await Deno.makeTempDir({ prefix: "warm-root-" });
  const stateDir = await Deno.makeTempDir({ prefix: "warm-state-" });
  const config = parseServeConfig([
    "--root",
    root,
    "--state-dir",
    stateDir,
    "--port",
    String(pickFreePort("127.0.0.1")),
    "--token",
    "warm-up-token-0123456789abcdef",
  ], () => undefined);
  const bridge = await startBridge(config, { log: silentLogger, upstream: new FakeUpstream() });
  try {
    await bridge.warmUp();
    const list = (token?: string) =>
      fetch(bridge.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-11-25",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
    const refused = await list();
    await refused.body?.cancel();
    assert.equal(refused.status, 401);
    const answered = await list("warm-up-token-0123456789abcdef");
    assert.equal(answered.status, 200);
    assert.match(await answered.text(), /"codex_run"/);
  } finally {
    await bridge.close();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(stateDir, { recursive: true });
  }
});
