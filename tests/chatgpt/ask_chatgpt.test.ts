/**
 * `ask_chatgpt` through a real MCP client (in-memory pair) against the fake
 * Responses API: request shape, streaming progress, and every error case.
 */
import assert from "node:assert/strict";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { createChatgptServer } from "../../src/chatgpt/server.ts";
import type { ChatgptConfig } from "../../src/config/chatgpt_config.ts";
import { silentLogger } from "../../src/log.ts";
import { type ScriptedReply, startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { structured, textOf } from "../fixtures/bridge_client.ts";

const KEY = "sk-test-do-not-print-0123456789";

async function setup(reply: () => ScriptedReply, config: Partial<ChatgptConfig> = {}) {
  const api = await startFakeResponsesApi({ reply });
  const server = createChatgptServer({
    config: { apiKey: KEY, baseUrl: api.baseUrl, model: "gpt-test", timeoutMs: 10_000, logLevel: "info", ...config },
    log: silentLogger,
    maxRetries: 1,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    api,
    client,
    ask: (args: Record<string, unknown>) => client.callTool({ name: "ask_chatgpt", arguments: args }),
    async cleanup() {
      await client.close();
      await server.close();
      await api.close();
    },
  };
}

const answer = (text: string): ScriptedReply => ({ output: [{ type: "message", text }] });

Deno.test("ask_chatgpt is listed with schemas and read-only, open-world annotations", async () => {
  const t = await setup(() => answer("x"));
  try {
    const { tools } = await t.client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name), ["ask_chatgpt"]);
    const [tool] = tools;
    assert.deepEqual(tool.annotations, {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
    assert.equal(tool.outputSchema?.type, "object");
    assert.deepEqual(tool.inputSchema.required, ["prompt"]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("ask_chatgpt sends model, instructions, reasoning effort, token limit and the key", async () => {
  const t = await setup(() => answer("Plan: do it."));
  try {
    const result = await t.ask({
      prompt: "Plan this",
      instructions: "Be brief",
      model: "gpt-other",
      reasoningEffort: "high",
      maxOutputTokens: 500,
    });
    assert.equal(result.isError, undefined, textOf(result));
    const sent = t.api.requests[0];
    assert.equal(sent.body.model, "gpt-other");
    assert.equal(sent.body.input, "Plan this");
    assert.equal(sent.body.instructions, "Be brief");
    assert.deepEqual(sent.body.reasoning, { effort: "high" });
    assert.equal(sent.body.max_output_tokens, 500);
    assert.equal(sent.body.stream, undefined, "no progress token: a plain call");
    assert.equal(sent.headers.get("authorization"), `Bearer ${KEY}`);
    const out = structured(result);
    assert.equal(out.outputText, "Plan: do it.");
    assert.equal(out.model, "gpt-other");
    assert.match(out.responseId, /^resp_/);
    assert.deepEqual(out.usage, { inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    assert.match(textOf(result), /^Plan: do it\./);
  } finally {
    await t.cleanup();
  }
});

Deno.test("ask_chatgpt defaults to the configured model and omits absent fields", async () => {
  const t = await setup(() => answer("ok"));
  try {
    await t.ask({ prompt: "hi" });
    const body = t.api.requests[0].body;
    assert.equal(body.model, "gpt-test");
    assert.equal("instructions" in body, false);
    assert.equal("reasoning" in body, false);
    assert.equal("max_output_tokens" in body, false);
  } finally {
    await t.cleanup();
  }
});

Deno.test("ask_chatgpt streams and sends progress notifications when asked", async () => {
  const t = await setup(() => answer("A streamed answer"));
  try {
    const progress: { progress: number; message?: string }[] = [];
    const result = await t.client.callTool({ name: "ask_chatgpt", arguments: { prompt: "go" } }, {
      onprogress: (p) => progress.push(p),
    });
    assert.equal(t.api.requests[0].body.stream, true, textOf(result));
    assert.equal(structured(result)?.outputText, "A streamed answer", textOf(result));
    assert.ok(progress.length >= 2, `got ${progress.length} progress notifications`);
    assert.equal(progress.map((p) => p.message).join(""), "A streamed answer");
    assert.equal(progress.at(-1)!.progress, "A streamed answer".length);
  } finally {
    await t.cleanup();
  }
});

const ERROR_CASES: [string, ScriptedReply, RegExp][] = [
  [
    "401",
    { status: 401, errorBody: { error: { message: "bad key" } } },
    /rejected the API key \(401\).*OPENAI_API_KEY/,
  ],
  ["403", { status: 403, errorBody: { error: { message: "no access" } } }, /refused access \(403\)/],
  ["404", { status: 404, errorBody: { error: { message: "no such model" } } }, /Model "gpt-test" was not found/],
  [
    "429 with retry-after",
    { status: 429, headers: { "retry-after": "1" }, errorBody: { error: { message: "slow down" } } },
    /Rate limited.*Retry after 1 seconds/,
  ],
  ["500", { status: 500, errorBody: { error: { message: "boom" } } }, /failed \(500\) even after retries/],
  ["refusal", { output: [{ type: "refusal", text: "I can't help with that" }] }, /refused to answer: I can't help/],
  ["empty output", { output: [] }, /returned no text/],
  ["incomplete", { output: [], responseStatus: "incomplete" }, /cut off before any text/],
];

for (const [name, reply, pattern] of ERROR_CASES) {
  Deno.test(`ask_chatgpt turns ${name} into a tool error a model can act on`, async () => {
    const t = await setup(() => reply);
    try {
      const result = await t.ask({ prompt: "x" });
      assert.equal(result.isError, true);
      assert.match(textOf(result), pattern);
      assert.doesNotMatch(textOf(result), new RegExp(KEY));
    } finally {
      await t.cleanup();
    }
  });
}

Deno.test("ask_chatgpt retries a 5xx before failing", async () => {
  const t = await setup(() => ({ status: 503 }));
  try {
    await t.ask({ prompt: "x" });
    assert.equal(t.api.requests.length, 2, "one try plus one retry");
  } finally {
    await t.cleanup();
  }
});

Deno.test("ask_chatgpt times out at the call's limit, which may only lower the owner's", async () => {
  const t = await setup(() => ({ delayMs: 5000, ...answer("late") }), { timeoutMs: 60_000 });
  try {
    const started = Date.now();
    const result = await t.ask({ prompt: "x", timeoutMs: 300 });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /did not answer within 300 ms/);
    assert.ok(Date.now() - started < 4000);
  } finally {
    await t.cleanup();
  }
});

Deno.test("ask_chatgpt without a key says what is missing and the server still lists its tool", async () => {
  const t = await setup(() => answer("x"), { apiKey: undefined });
  try {
    assert.equal((await t.client.listTools()).tools.length, 1);
    const result = await t.ask({ prompt: "x" });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^OPENAI_API_KEY is not set/);
    assert.equal(t.api.requests.length, 0);
  } finally {
    await t.cleanup();
  }
});
