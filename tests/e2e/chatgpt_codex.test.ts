/**
 * End to end, Codex → ChatGPT: the real, current Codex is the MCP client of
 * this project's `chatgpt` server. Codex's own model (fake #1) calls
 * `ask_chatgpt`; the server asks the Responses API (fake #2); the answer
 * flows back into the Codex turn's final message. The server is started
 * two seconds late, as on a loaded machine: the project's config must make
 * Codex wait for it rather than run the turn without `ask_chatgpt`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { lastFunctionOutput, startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";

Deno.test({
  name: `e2e: Codex ${CURRENT_CODEX} calls ask_chatgpt and gets the GPT answer back`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    let offered = "";
    const codexModel = await startFakeResponsesApi({
      reply: (request) => {
        // Codex offers MCP tools as a namespace group: {type: "namespace", name: "mcp__chatgpt", tools: [...]}.
        // deno-lint-ignore no-explicit-any
        const group = (request.body.tools ?? []).find((tool: any) =>
          tool.type === "namespace" && tool.name === "mcp__chatgpt"
        );
        // deno-lint-ignore no-explicit-any
        offered = group?.tools?.map((tool: any) => tool.name).join(",") ?? "";
        const output = lastFunctionOutput(request.body);
        if (output !== undefined) return { output: [{ type: "message", text: `FINAL: ${output}` }] };
        return {
          output: [{
            type: "function_call",
            namespace: "mcp__chatgpt",
            name: "ask_chatgpt",
            arguments: { prompt: "Review plan X" },
          }],
        };
      },
    });
    const gpt = await startFakeResponsesApi({
      reply: () => ({ output: [{ type: "message", text: "GPT says: plan X is sound" }] }),
    });
    const work = await Deno.makeTempDir({ prefix: "chatgpt-e2e-" });
    const slowLauncher = join(work, "slow-launcher.sh");
    await Deno.writeTextFile(
      slowLauncher,
      `#!/bin/sh\nsleep 2\nexec ${JSON.stringify(join(PROJECT_DIR, "codex-gpt-bridge"))} "$@"\n`,
      { mode: 0o755 },
    );
    // The same wiring as the project's .codex/config.toml, with the delayed launcher.
    const projectConfig = await Deno.readTextFile(join(PROJECT_DIR, ".codex", "config.toml"));
    assert.ok(projectConfig.includes(`command = "./codex-gpt-bridge"`));
    const home = await createCodexHome({
      modelBaseUrl: codexModel.baseUrl,
      extraToml: projectConfig.replace(`"./codex-gpt-bridge"`, JSON.stringify(slowLauncher)),
    });
    try {
      const { code, stdout, stderr } = await new Deno.Command(codexBinary(CURRENT_CODEX), {
        args: ["exec", "--experimental-json", "--skip-git-repo-check", "-s", "read-only", "Ask ChatGPT"],
        cwd: work,
        clearEnv: true,
        env: {
          PATH: Deno.env.get("PATH")!,
          ...home.env,
          OPENAI_API_KEY: "sk-e2e-dummy",
          OPENAI_BASE_URL: gpt.baseUrl,
          CODEX_CHATGPT_MODEL: "gpt-e2e",
          RUST_BACKTRACE: "0",
        },
        stdin: "null",
        signal: AbortSignal.timeout(120_000),
      }).output();
      const events = new TextDecoder().decode(stdout).split("\n").filter(Boolean).map((line) => JSON.parse(line));
      const log = `${new TextDecoder().decode(stdout)}\n${new TextDecoder().decode(stderr)}`.slice(-4000);
      assert.equal(code, 0, log);
      assert.equal(offered, "ask_chatgpt", `Codex did not offer ask_chatgpt to its model:\n${log}`);
      assert.equal(gpt.requests.length, 1, log);
      assert.equal(gpt.requests[0].body.input, "Review plan X");
      assert.equal(gpt.requests[0].body.model, "gpt-e2e");
      const final = events.filter((e) => e.type === "item.completed" && e.item?.type === "agent_message").at(-1);
      assert.match(final?.item?.text ?? "", /FINAL: .*GPT says: plan X is sound/s, log);
    } finally {
      await codexModel.close();
      await gpt.close();
      await home.remove();
      await Deno.remove(work, { recursive: true });
    }
  },
});
