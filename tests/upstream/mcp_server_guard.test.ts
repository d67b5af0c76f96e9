/**
 * Codex's own MCP servers run outside the sandbox, so the app-server adapter
 * disables every one its config names, and stops a turn for which Codex
 * reports starting one anyway. Driven with the fake app-server, which, like
 * the real one, starts its configured server unless the thread's `config`
 * disables it (the real Codex is covered by tests/e2e/confinement.test.ts).
 */
import assert from "node:assert/strict";
import { AppServerAdapter } from "../../src/upstream/app_server_adapter.ts";
import type { TurnSettings } from "../../src/upstream/types.ts";
import { silentLogger } from "../../src/log.ts";

const FAKE = new URL("../fixtures/fake_codex.ts", import.meta.url).pathname;

function settings(cwd: string): TurnSettings {
  return { cwd, sandbox: "read-only", approvalPolicy: "never", signal: new AbortController().signal, onEvent() {} };
}

Deno.test({
  name: "app-server adapter: Codex's configured MCP server is disabled in every turn; one reported started stops it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const cwd = await Deno.makeTempDir({ prefix: "mcp-guard-" });
    const upstream = new AppServerAdapter({
      codexPath: FAKE,
      version: "0.169.0",
      env: { PATH: Deno.env.get("PATH")! },
      log: silentLogger,
    });
    try {
      assert.ok((await upstream.info()).tools.includes("config/read"), "bridge_status lists the method");
      // The fake reports its server started unless disabled, which would stop these turns: they complete.
      const first = await upstream.startThread({ ...settings(cwd), prompt: "hello" });
      assert.match(first.text, /ECHO: hello/);
      const reply = await upstream.continueThread({ ...settings(cwd), threadId: first.threadId, prompt: "again" });
      assert.match(reply.text, /ECHO: again/);

      await assert.rejects(
        upstream.startThread({ ...settings(cwd), prompt: "MCPSTART" }),
        /started one of its own MCP servers for this turn/,
      );
      const after = await upstream.startThread({ ...settings(cwd), prompt: "still works" });
      assert.match(after.text, /ECHO: still works/, "the next turn is unaffected");
    } finally {
      await upstream.close();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
