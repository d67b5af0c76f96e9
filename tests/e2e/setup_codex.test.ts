/**
 * End to end, `setup codex`: the real launcher registers the `chatgpt`
 * server in a throw-away CODEX_HOME; the real, current Codex, started in a
 * subfolder of an untrusted project with no Deno on its PATH, offers
 * `ask_chatgpt` to its model and calls it. The API key reaches the server
 * through `env_vars` only: its value is in no file afterwards.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";
import { makeCodexProject, startAskChatgptFakes } from "../fixtures/ask_chatgpt_turn.ts";

/** Files under `dir` whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  const bytes = new TextEncoder().encode(needle);
  const contains = (data: Uint8Array) => {
    outer: for (let i = 0; i <= data.length - bytes.length; i++) {
      for (let j = 0; j < bytes.length; j++) if (data[i + j] !== bytes[j]) continue outer;
      return true;
    }
    return false;
  };
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await filesContaining(path, needle));
    else if (entry.isFile && contains(await Deno.readFile(path))) found.push(path);
  }
  return found;
}

/** A PATH folder with what Codex and the launcher need, and no Deno. */
async function pathWithoutDeno(dir: string): Promise<string> {
  const bin = join(dir, "bin");
  await Deno.mkdir(bin);
  for (const tool of ["node", "sh", "dirname", "git"]) {
    const { stdout } = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output();
    await Deno.symlink(new TextDecoder().decode(stdout).trim(), join(bin, tool));
  }
  return bin;
}

async function runSetup(cwd: string, env: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command(join(PROJECT_DIR, "codex-gpt-bridge"), {
    args: ["setup", "codex"],
    cwd,
    clearEnv: true,
    env,
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test({
  name: `e2e: after setup codex, Codex ${CURRENT_CODEX} in an untrusted project's subfolder, without Deno on PATH, ` +
    "calls ask_chatgpt and no file holds the API key",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const fakes = await startAskChatgptFakes();
    const home = await createCodexHome({ modelBaseUrl: fakes.modelBaseUrl });
    const project = await Deno.realPath(await Deno.makeTempDir({ prefix: "setup-e2e-" }));
    const apiKey = `sk-e2e-${crypto.randomUUID()}`;
    try {
      const subfolder = join(project, "app", "lib");
      // With this repository's project config, whose launcher is not there: were the untrusted file read,
      // the required server would fail every session.
      await makeCodexProject(project, subfolder);
      const setupEnv = { PATH: Deno.env.get("PATH")!, ...home.env, OPENAI_API_KEY: apiKey };
      const first = await runSetup(subfolder, setupEnv);
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, /^Registered: the chatgpt MCP server in .*config\.toml/, first.out);
      const written = await Deno.readTextFile(join(home.path, "config.toml"));
      const again = await runSetup(subfolder, setupEnv);
      assert.equal(again.code, 0, again.out);
      assert.match(again.out, /^Already registered/, again.out);
      assert.equal(await Deno.readTextFile(join(home.path, "config.toml")), written, "a second run changed the file");

      const turn = await fakes.runTurn(subfolder, {
        PATH: await pathWithoutDeno(home.home),
        ...home.env,
        OPENAI_API_KEY: apiKey,
        CODEX_CHATGPT_MODEL: "gpt-e2e",
      });
      assert.equal(turn.code, 0, turn.log);
      assert.equal(turn.offered, "ask_chatgpt", `Codex did not offer ask_chatgpt to its model:\n${turn.log}`);
      assert.equal(turn.gptRequests.length, 1, turn.log);
      assert.equal(turn.gptRequests[0].body.model, "gpt-e2e");
      assert.equal(turn.gptRequests[0].headers.get("authorization"), `Bearer ${apiKey}`);
      assert.match(turn.finalText, /FINAL: .*GPT says: plan X is sound/s, turn.log);
      assert.deepEqual(await filesContaining(home.home, apiKey), []);
      assert.deepEqual(await filesContaining(project, apiKey), []);
    } finally {
      await fakes.close();
      await home.remove();
      await Deno.remove(project, { recursive: true });
    }
  },
});
