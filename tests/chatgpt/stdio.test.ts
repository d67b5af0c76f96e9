/**
 * The `chatgpt` command as Codex runs it: a child process speaking MCP on
 * stdio, logging JSON lines on stderr, never printing the key.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { PROJECT_DIR, testLaunchCache } from "../fixtures/bridge_process.ts";
import { structured } from "../fixtures/bridge_client.ts";

const KEY = "sk-stdio-secret-0123456789";

Deno.test({
  name: "chatgpt stdio server answers over stdio and keeps the key out of its output",
  sanitizeResources: false,
  fn: async () => {
    const api = await startFakeResponsesApi({ reply: () => ({ output: [{ type: "message", text: "pong" }] }) });
    const transport = new StdioClientTransport({
      command: join(PROJECT_DIR, "codex-gpt-bridge"),
      args: ["chatgpt"],
      env: {
        PATH: Deno.env.get("PATH")!,
        HOME: Deno.env.get("HOME")!,
        XDG_CACHE_HOME: testLaunchCache(),
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: api.baseUrl,
        CODEX_CHATGPT_LOG_LEVEL: "debug",
      },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk));
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ["ask_chatgpt"]);
      const result = await client.callTool({ name: "ask_chatgpt", arguments: { prompt: "ping" } });
      assert.equal(structured(result).outputText, "pong");
    } finally {
      await client.close();
      await api.close();
    }
    const lines = stderr.split("\n").filter((line) => line.trim() !== "");
    assert.ok(lines.length >= 2, stderr);
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.ok(entry.level && entry.msg, line);
    }
    assert.doesNotMatch(stderr, new RegExp(KEY));
    assert.doesNotMatch(stderr, /ping/, "prompts are never logged");
  },
});
