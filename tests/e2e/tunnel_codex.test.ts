/**
 * End to end through the tunnel: the fake control plane (ChatGPT's side of
 * OpenAI's Secure MCP Tunnel) → the bridge as a real, confined process
 * polling it → the real Codex CLI → a scripted fake model. The local HTTP
 * endpoint keeps serving beside the tunnel with its own token.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { scriptedModel } from "../fixtures/scripted_model.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { startBridgeProcess } from "../fixtures/bridge_process.ts";
import { BRIDGE_TOOLS, call, connectClient } from "../fixtures/bridge_client.ts";
import { type FakeCommand, startFakeControlPlane } from "../fixtures/fake_control_plane.ts";

const TOKEN = "e2e-tunnel-token-0123456789";

Deno.test({
  name: `e2e: Codex ${CURRENT_CODEX} through the Secure MCP Tunnel, local HTTP alongside`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const model = await startFakeResponsesApi({ reply: scriptedModel });
    const home = await createCodexHome({ modelBaseUrl: model.baseUrl });
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "bridge-tunnel-e2e-" }));
    await Deno.writeTextFile(join(root, "hello.txt"), "hello through the tunnel");
    const plane = startFakeControlPlane();
    const bridge = await startBridgeProcess({
      args: [
        "--root",
        root,
        "--codex",
        codexBinary(CURRENT_CODEX),
        "--upstream",
        "app-server",
        "--token",
        TOKEN,
        "--tunnel-id",
        plane.tunnelId,
        "--control-plane-url",
        plane.baseUrl,
      ],
      env: { ...home.env, CONTROL_PLANE_API_KEY: plane.apiKey },
    });
    let seq = 0;
    /** Sends one JSON-RPC message through the tunnel; resolves with its terminal response POST. */
    async function send(jsonrpc: Record<string, unknown>, extra: Partial<FakeCommand> = {}) {
      const requestId = `req-${++seq}`;
      plane.enqueue({
        request_id: requestId,
        command_type: "jsonrpc",
        response_timeout: "60s",
        headers: { "Mcp-Protocol-Version": ["2025-11-25"] },
        jsonrpc,
        ...extra,
      });
      await plane.until(() => plane.responsesFor(requestId).some((r) => r.body.resp_type !== "jsonrpc_notify"), 70_000);
      return plane.responsesFor(requestId).at(-1)!;
    }
    const tool = (id: number, name: string, args: Record<string, unknown>) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name, arguments: args },
    });
    try {
      assert.match(bridge.startLine, new RegExp(`tunnel: ${plane.tunnelId} via ${plane.baseUrl} connected`));
      assert.doesNotMatch(bridge.startLine, new RegExp(plane.apiKey), "the key is never printed");

      await t.step("initialize and tools/list answer through the tunnel", async () => {
        const init = await send({
          jsonrpc: "2.0",
          id: 0,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "chatgpt", version: "1" } },
        });
        assert.equal(init.body.resp_json.id, 0);
        assert.equal(init.body.resp_json.result.serverInfo.name, "codex-gpt-bridge");
        const ack = await send({ jsonrpc: "2.0", method: "notifications/initialized" });
        assert.equal(ack.body.resp_type, "notify_ack");
        const list = await send({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
        assert.deepEqual(list.body.resp_json.result.tools.map((t: { name: string }) => t.name).sort(), BRIDGE_TOOLS);
      });

      await t.step("codex_read runs the real Codex and answers through the tunnel", async () => {
        const response = await send(tool(2, "codex_read", { prompt: "RUN{cat hello.txt}", cwd: root }));
        const out = response.body.resp_json.result.structuredContent;
        assert.equal(out.status, "completed", JSON.stringify(out));
        assert.match(out.text, /hello through the tunnel/);
      });

      await t.step("a turn slower than the command's deadline comes back as running in time", async () => {
        const enqueued = performance.now();
        const response = await send(tool(3, "codex_read", { prompt: "DELAY{9000} then answer", cwd: root }), {
          response_timeout: "6s",
        });
        const elapsed = response.at - enqueued;
        assert.ok(elapsed < 6000, `answered after ${Math.round(elapsed)} ms, deadline 6 s`);
        const out = response.body.resp_json.result.structuredContent;
        assert.equal(out.status, "running", JSON.stringify(out));
        // The job lives in the one bridge: poll it through the tunnel until it is done.
        let done = out;
        for (let i = 0; done.status === "running" && i < 60; i++) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          done = (await send(tool(100 + i, "codex_job_status", { jobId: out.jobId }))).body.resp_json.result
            .structuredContent;
        }
        assert.equal(done.status, "completed", JSON.stringify(done));
        assert.match(done.text, /ECHO: DELAY\{9000\} then answer/);
      });

      await t.step("local HTTP keeps its bearer token and bridge_status shows the tunnel", async () => {
        const client = await connectClient(bridge.url, { token: TOKEN });
        try {
          const status = await call(client, "bridge_status", {});
          assert.equal(status.tunnel.tunnelId, plane.tunnelId);
          assert.equal(status.tunnel.connected, true);
          assert.ok(status.tunnel.commandsServed >= 5, JSON.stringify(status.tunnel));
          assert.ok(Date.parse(status.tunnel.lastPollAt) > Date.now() - 60_000);
        } finally {
          await client.close();
        }
        const refused = await fetch(bridge.url, { method: "POST", body: "{}" });
        await refused.body?.cancel();
        assert.equal(refused.status, 401, "the HTTP door still needs its token");
      });

      await t.step("SIGTERM lets a tunnel call in flight answer, then the bridge exits 0", async () => {
        const requestId = "in-flight";
        const before = model.requests.length;
        plane.enqueue({
          request_id: requestId,
          command_type: "jsonrpc",
          response_timeout: "60s",
          jsonrpc: tool(500, "codex_read", { prompt: "DELAY{2000} finishing up", cwd: root }),
        });
        await plane.until(() => model.requests.length > before || plane.responsesFor(requestId).length > 0, 30_000);
        assert.equal(await bridge.stop(), 0, bridge.stderr());
        const [response] = plane.responsesFor(requestId);
        assert.equal(response?.body.resp_json.result.structuredContent.status, "completed", bridge.stderr());
      });
    } finally {
      assert.equal(await bridge.stop(), 0, bridge.stderr());
      await plane.close();
      await model.close();
      await home.remove();
      await Deno.remove(root, { recursive: true });
    }
    assert.deepEqual(plane.violations, [], "every request followed the contract");
    assert.doesNotMatch(bridge.stderr(), new RegExp(plane.apiKey), "the key is never logged");
  },
});
