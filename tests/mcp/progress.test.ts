/**
 * Live progress: a client that sends a progress token hears what Codex is
 * doing while its call waits; the job's progress keeps the reasoning
 * summary, the plan and token usage, bounded.
 */
import assert from "node:assert/strict";
import { abortableDelay } from "../fixtures/fake_upstream.ts";
import { structured } from "../fixtures/bridge_client.ts";
import { setupToolBridge } from "../fixtures/tool_bridge.ts";
import { JobRegistry, PROGRESS_LIMITS } from "../../src/jobs/job_registry.ts";
import type { UpstreamEvent } from "../../src/upstream/types.ts";
import { callWithProgress, PROGRESS_INTERVAL_MS } from "../../src/mcp/progress.ts";
import type { JobView } from "../../src/service/bridge_service.ts";

/** A turn that reports a plan, a summary, usage and a command, 300 ms apart, then answers. */
function busyTurn(fake: { request: { onEvent: (event: UpstreamEvent) => void; signal: AbortSignal } }) {
  const emit = fake.request.onEvent;
  return (async () => {
    emit({ kind: "thread_started", threadId: "t-progress" });
    emit({ kind: "plan", steps: [{ step: "read", status: "completed" }, { step: "fix", status: "inProgress" }] });
    await abortableDelay(300, fake.request.signal);
    emit({ kind: "reasoning_summary", text: "Looking at the tests" });
    emit({ kind: "token_usage", usage: usage(1234) });
    await abortableDelay(300, fake.request.signal);
    emit({ kind: "command_started", command: "deno test" });
    await abortableDelay(300, fake.request.signal);
    return { threadId: "t-progress", text: "done" };
  })();
}

function usage(totalTokens: number) {
  return { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 234, reasoningOutputTokens: 10, totalTokens };
}

Deno.test("a call with a progress token gets notifications/progress while it waits, with the plan and last command", async () => {
  const bridge = await setupToolBridge({ policy: { fastReturnMs: 20_000 }, script: busyTurn });
  const client = await bridge.connect();
  try {
    const heard: { progress: number; message?: string }[] = [];
    const result = await client.callTool({ name: "codex_read", arguments: { prompt: "work" } }, {
      onprogress: (progress: { progress: number; message?: string }) => heard.push(progress),
    });
    assert.equal(structured(result).status, "completed");
    assert.ok(heard.length >= 2, `heard ${heard.length} notifications`);
    for (let i = 1; i < heard.length; i++) assert.ok(heard[i].progress > heard[i - 1].progress, "progress increases");
    assert.ok(heard.some((p) => /plan 1\/2/.test(p.message ?? "")), JSON.stringify(heard));
    assert.ok(heard.some((p) => /last: deno test/.test(p.message ?? "")), JSON.stringify(heard));
    const { progress } = structured(result);
    assert.equal(progress.reasoningSummary, "Looking at the tests");
    assert.deepEqual(progress.plan, [{ step: "read", status: "completed" }, { step: "fix", status: "inProgress" }]);
    assert.equal(progress.tokens.totalTokens, 1234);
  } finally {
    await client.close();
    await bridge.cleanup();
  }
});

Deno.test("a job's progress stays bounded whatever Codex streams", async () => {
  const jobs = new JobRegistry();
  const job = jobs.start(({ onEvent }) => {
    onEvent({ kind: "reasoning_summary", text: "x".repeat(10_000) + "the end" });
    onEvent({
      kind: "plan",
      steps: Array.from({ length: 100 }, (_, i) => ({ step: `step ${i} `.repeat(100), status: "pending" })),
    });
    onEvent({ kind: "command_started", command: "y".repeat(10_000) });
    for (let i = 0; i < 1000; i++) onEvent({ kind: "approval_declined", request: `ask ${i}` });
    return Promise.resolve({ threadId: "t", text: "" });
  }, { tool: "codex_read", timeoutMs: 1000 });
  await job.done;
  const p = job.progress;
  assert.equal(p.reasoningSummary!.length, PROGRESS_LIMITS.summaryChars);
  assert.ok(p.reasoningSummary!.endsWith("the end"), "the latest words are kept");
  assert.equal(p.plan!.length, PROGRESS_LIMITS.planSteps);
  assert.ok(p.plan!.every((s) => s.step.length <= PROGRESS_LIMITS.stepChars));
  assert.equal(p.lastCommand!.length, PROGRESS_LIMITS.commandChars);
  assert.ok(p.approvalsDeclined.length <= PROGRESS_LIMITS.planSteps);
  assert.ok(JSON.stringify(p).length < 10_000, `progress is ${JSON.stringify(p).length} bytes`);
});

Deno.test("progress is sent only with a progress token, and at most once per interval", () => {
  const sent: { method: string; params: Record<string, unknown> }[] = [];
  const mcpReq = (token?: string) => ({
    ...(token ? { _meta: { progressToken: token } } : {}),
    notify: (notification: { method: string; params: Record<string, unknown> }) => {
      sent.push(notification);
      return Promise.resolve();
    },
  });
  const view = (events: number) =>
    ({
      progress: { phase: "thinking", events, commandsStarted: 0, commandsFinished: 0, approvalsDeclined: [] },
    }) as unknown as JobView;
  assert.equal(callWithProgress({ mcpReq: mcpReq() }).onProgress, undefined, "no token, no notifications");
  let now = 0;
  const call = callWithProgress({ mcpReq: mcpReq("tok") }, () => now);
  call.onProgress!(view(1));
  now += PROGRESS_INTERVAL_MS - 1;
  call.onProgress!(view(2));
  now += 1;
  call.onProgress!(view(3));
  assert.deepEqual(sent.map((n) => [n.method, n.params.progressToken, n.params.progress]), [
    ["notifications/progress", "tok", 1],
    ["notifications/progress", "tok", 3],
  ]);
  assert.equal(sent[0].params.message, "thinking; commands 0/0");
});
