/**
 * End to end, Codex → ChatGPT through the project's own `.codex/config.toml`:
 * the real, current Codex, started in a subfolder of a trusted project, is
 * the MCP client of the `chatgpt` server the file names. Codex's own model
 * (fake #1) calls `ask_chatgpt`; the server asks the Responses API (fake #2);
 * the answer flows back into the turn's final message. The server starts two
 * seconds late, as on a loaded machine: the file must make Codex wait for it
 * rather than run the turn without `ask_chatgpt`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";
import { makeCodexProject, startAskChatgptFakes } from "../fixtures/ask_chatgpt_turn.ts";

Deno.test({
  name: `e2e: Codex ${CURRENT_CODEX} in a subfolder of the trusted project calls ask_chatgpt and gets the answer`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const fakes = await startAskChatgptFakes();
    const project = await Deno.realPath(await Deno.makeTempDir({ prefix: "chatgpt-e2e-" }));
    // Untrusted, Codex 0.171.0 ignores a project's config; trusting it is the owner's step (README).
    const home = await createCodexHome({
      modelBaseUrl: fakes.modelBaseUrl,
      extraToml: `[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`,
    });
    try {
      const subfolder = join(project, "src", "deep");
      await makeCodexProject(project, subfolder);
      // The project's launcher, started late: the real one, after two seconds.
      await Deno.writeTextFile(
        join(project, "codex-gpt-bridge"),
        `#!/bin/sh\nsleep 2\nexec ${JSON.stringify(join(PROJECT_DIR, "codex-gpt-bridge"))} "$@"\n`,
        { mode: 0o755 },
      );
      const turn = await fakes.runTurn(subfolder, {
        PATH: Deno.env.get("PATH")!,
        ...home.env,
        OPENAI_API_KEY: "sk-e2e-dummy",
        CODEX_CHATGPT_MODEL: "gpt-e2e",
      });
      assert.equal(turn.code, 0, turn.log);
      assert.equal(turn.offered, "ask_chatgpt", `Codex did not offer ask_chatgpt to its model:\n${turn.log}`);
      assert.equal(turn.gptRequests.length, 1, turn.log);
      assert.equal(turn.gptRequests[0].body.input, "Review plan X");
      assert.equal(turn.gptRequests[0].body.model, "gpt-e2e");
      assert.match(turn.finalText, /FINAL: .*GPT says: plan X is sound/s, turn.log);
    } finally {
      await fakes.close();
      await home.remove();
      await Deno.remove(project, { recursive: true });
    }
  },
});
