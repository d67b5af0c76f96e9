/**
 * Both Codex adapters against the real Codex binaries: crashes, restarts,
 * resume after a crash, and clean shutdown with no process left behind.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AppServerAdapter } from "../../src/upstream/app_server_adapter.ts";
import { McpServerAdapter } from "../../src/upstream/mcp_server_adapter.ts";
import type { CodexUpstream, TurnSettings, UpstreamEvent } from "../../src/upstream/types.ts";
import { silentLogger } from "../../src/log.ts";
import { startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { scriptedModel } from "../fixtures/scripted_model.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX, LEGACY_CODEX } from "../fixtures/codex_versions.ts";
import { processesWithEnv, waitForNoProcesses } from "../fixtures/processes.ts";

const PAIRS = [
  { version: LEGACY_CODEX, Adapter: McpServerAdapter, marker: "mcp-server" },
  { version: LEGACY_CODEX, Adapter: AppServerAdapter, marker: "app-server" },
  { version: CURRENT_CODEX, Adapter: AppServerAdapter, marker: "app-server" },
] as const;

function settings(cwd: string, signal = new AbortController().signal) {
  const events: UpstreamEvent[] = [];
  const turn: Omit<TurnSettings, "cwd"> & { cwd: string } = {
    cwd,
    sandbox: "read-only",
    approvalPolicy: "never",
    signal,
    onEvent: (event) => events.push(event),
  };
  return { turn, events };
}

for (const { version, Adapter, marker } of PAIRS) {
  Deno.test({
    name: `${Adapter.name} on Codex ${version}: a crash fails the turn, the next call works, close leaves nothing`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const model = await startFakeResponsesApi({ reply: scriptedModel });
      const home = await createCodexHome({ modelBaseUrl: model.baseUrl });
      const cwd = await Deno.realPath(await Deno.makeTempDir({ prefix: "adapter-" }));
      await Deno.writeTextFile(join(cwd, "hello.txt"), "hi");
      const upstream: CodexUpstream = new Adapter({
        codexPath: codexBinary(version),
        version,
        env: { PATH: Deno.env.get("PATH")!, ...home.env },
        log: silentLogger,
      });
      try {
        const first = settings(cwd);
        const done = await upstream.startThread({ ...first.turn, prompt: "first" });
        assert.match(done.text, /ECHO: first/);
        assert.ok(first.events.some((e) => e.kind === "thread_started"));

        // Kill the Codex child while a slow turn runs.
        const slow = settings(cwd);
        const pending = upstream.startThread({ ...slow.turn, prompt: "DELAY{20000} slow" });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const children = (await processesWithEnv("CODEX_HOME", home.path)).filter((p) => p.cmdline.includes(marker));
        assert.ok(children.length >= 1, "found the Codex child");
        for (const child of children) Deno.kill(child.pid, "SIGKILL");
        await assert.rejects(pending, /exited|closed|Connection/i);

        // The next call starts a new child.
        const after = await upstream.startThread({ ...settings(cwd).turn, prompt: "after crash" });
        assert.match(after.text, /ECHO: after crash/);

        // A thread from before the crash: app-server resumes it; mcp-server says it was lost.
        const resumed = upstream.continueThread({ ...settings(cwd).turn, threadId: done.threadId, prompt: "again" });
        if (upstream.protocol === "app-server") assert.match((await resumed).text, /ECHO: again/);
        else await assert.rejects(resumed, /lost when Codex restarted/);
      } finally {
        await upstream.close();
        const left = await waitForNoProcesses("CODEX_HOME", home.path);
        await model.close();
        await home.remove();
        await Deno.remove(cwd, { recursive: true });
        assert.deepEqual(left, [], "no Codex process left behind");
      }
    },
  });
}
