/** Model and effort through the tools: checked, passed to Codex, kept by the thread, listed by bridge_status. */
import assert from "node:assert/strict";
import { call } from "../fixtures/bridge_client.ts";
import { setupToolBridge } from "../fixtures/tool_bridge.ts";

Deno.test("codex_run passes an allowed model and effort to Codex and the thread keeps them for replies", async () => {
  const bridge = await setupToolBridge();
  const client = await bridge.connect();
  try {
    const run = await call(client, "codex_run", { prompt: "a", model: "fake-small", reasoningEffort: "low" });
    assert.equal(run.status, "completed", run.message);
    assert.deepEqual([bridge.upstream.calls[0].request.model, bridge.upstream.calls[0].request.reasoningEffort], [
      "fake-small",
      "low",
    ]);
    await call(client, "codex_reply", { threadId: run.threadId, prompt: "b" });
    assert.deepEqual([bridge.upstream.calls[1].request.model, bridge.upstream.calls[1].request.reasoningEffort], [
      "fake-small",
      "low",
    ], "a reply keeps the thread's choice");
    await call(client, "codex_reply", {
      threadId: run.threadId,
      prompt: "c",
      model: "fake-large",
      reasoningEffort: "high",
    });
    assert.equal(bridge.upstream.calls[2].request.model, "fake-large", "a reply may name another allowed one");
    await call(client, "codex_reply", { threadId: run.threadId, prompt: "d" });
    assert.equal(bridge.upstream.calls[3].request.reasoningEffort, "high", "and the thread keeps that from then on");
    // Positive control: without the arguments nothing is sent, so Codex's default applies.
    await call(client, "codex_read", { prompt: "e" });
    assert.equal(bridge.upstream.calls[4].request.model, undefined);
    assert.equal(bridge.upstream.calls[4].request.reasoningEffort, undefined);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("a model or effort out of policy is a tool error listing the allowed choices; bridge_status lists them", async () => {
  const bridge = await setupToolBridge({ policy: { models: ["fake-large"], maxReasoningEffort: "medium" } });
  const client = await bridge.connect();
  try {
    const small = await call(client, "codex_read", { prompt: "x", model: "fake-small" });
    assert.equal(small.isError, true);
    assert.match(small.error, /Model "fake-small" is not allowed here; allowed: fake-large \(low, medium\)/);
    assert.match(small.next, /bridge_status/);
    const high = await call(client, "codex_run", { prompt: "x", model: "fake-large", reasoningEffort: "high" });
    assert.equal(high.isError, true);
    assert.match(high.error, /"high" is not allowed for fake-large; allowed: low, medium/);
    assert.equal(bridge.upstream.calls.length, 0, "no Codex turn started");
    const status = await call(client, "bridge_status", {});
    assert.deepEqual(status.models.choices.map((c: { model: string; efforts: string[] }) => [c.model, c.efforts]), [
      ["fake-large", ["low", "medium"]],
    ]);
    assert.deepEqual(status.models.ownerModels, ["fake-large"]);
    assert.equal(status.models.maxReasoningEffort, "medium");
    const ok = await call(client, "codex_read", { prompt: "x", model: "fake-large", reasoningEffort: "medium" });
    assert.equal(ok.status, "completed", ok.message);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});
