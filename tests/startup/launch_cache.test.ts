/**
 * `./codex-gpt-bridge` reuses the launch plan of an earlier start while
 * everything it was made from holds, so a warm start runs no planning stage;
 * it plans afresh (and grants what the new facts call for, never the old)
 * when an argument, a variable, a resolved path or the checkout changes.
 * No secret is ever written into a cached plan.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { pickFreePort } from "../../src/permissions/relaunch.ts";
import { listToolsOverStdio } from "../fixtures/stdio_tools_list.ts";

const argvOf = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
const grant = (argv: string[], flag: string) => argv.find((arg) => arg.startsWith(`${flag}=`));

/** A scratch place: a cache folder, and a `deno` that counts how often the planning stage runs. */
async function withPlace(
  fn: (
    place: { dir: string; cache: string; env: Record<string, string>; plannings: () => Promise<number> },
  ) => Promise<void>,
) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp", prefix: "launch-cache-" }));
  const log = join(dir, "plannings.log");
  const deno = join(dir, "deno");
  await Deno.writeTextFile(deno, `#!/bin/sh\necho run >> '${log}'\nexec '${Deno.execPath()}' "$@"\n`, { mode: 0o755 });
  const cache = join(dir, "cache");
  try {
    await fn({
      dir,
      cache: join(cache, "codex-gpt-bridge", "launch"),
      env: { CODEX_GPT_BRIDGE_DENO: deno, XDG_CACHE_HOME: cache },
      plannings: () => Deno.readTextFile(log).then((text) => text.split("\n").length - 1, () => 0),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function cachedFiles(cache: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(cache)) files.push(await Deno.readTextFile(join(cache, entry.name)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files;
}

async function toolsList(url: string): Promise<string[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
  const body = await response.text();
  const data = body.split("\n").find((line) => line.startsWith("data: "));
  return JSON.parse(data ? data.slice(6) : body).result.tools.map((tool: { name: string }) => tool.name);
}

Deno.test({
  name: "serve: a warm start reuses the plan; a retargeted link, a changed variable or checkout plans afresh",
  sanitizeResources: false,
  fn: () =>
    withPlace(async ({ dir, cache, env, plannings }) => {
      const root = join(dir, "root");
      await Deno.mkdir(root);
      for (const name of ["state-a", "state-b"]) await Deno.mkdir(join(dir, name));
      const stateLink = join(dir, "state");
      await Deno.symlink(join(dir, "state-a"), stateLink);
      const port = pickFreePort("127.0.0.1");
      const start = async (extraEnv: Record<string, string> = {}) => {
        const bridge = await startBridgeProcess({
          args: ["--root", root, "--no-auth", "--codex", join(dir, "no-codex")],
          port,
          stateDir: stateLink,
          env: { ...env, ...extraEnv },
        });
        const argv = argvOf(bridge.pid);
        const tools = await toolsList(bridge.url);
        assert.equal(await bridge.stop(), 0, bridge.stderr());
        return { argv, tools };
      };

      const first = await start();
      assert.equal(await plannings(), 1);
      assert.equal((await cachedFiles(cache)).length, 1);
      assert.equal(grant(first.argv, "--allow-write"), `--allow-write=${join(dir, "state-a")}`);

      // Positive control: the same start again runs no planning stage, gets the same argv, and serves.
      const warm = await start();
      assert.equal(await plannings(), 1, "the cached plan was used");
      assert.deepEqual(warm.argv, first.argv);
      assert.ok(warm.tools.includes("codex_read"), warm.tools.join(","));

      // The state folder's link now points elsewhere: planned afresh, and the grant follows it.
      await Deno.remove(stateLink);
      await Deno.symlink(join(dir, "state-b"), stateLink);
      const moved = await start();
      assert.equal(await plannings(), 2);
      assert.equal(grant(moved.argv, "--allow-write"), `--allow-write=${join(dir, "state-b")}`);

      // A variable the planning stage reads.
      await start({ CODEX_GPT_BRIDGE_ALLOW_WRITE: "1" });
      assert.equal(await plannings(), 3);
      await start({ CODEX_GPT_BRIDGE_ALLOW_WRITE: "1" });
      assert.equal(await plannings(), 3, "cached again for the new value");

      // The checkout changed since the plan was cached (here: the plans made older than its files).
      for await (const entry of Deno.readDir(cache)) await Deno.utime(join(cache, entry.name), 0, 0);
      await start();
      assert.equal(await plannings(), 4);
    }),
});

Deno.test({
  name: "serve: no secret is written into a plan; a flag secret or a random port is never cached",
  sanitizeResources: false,
  fn: () =>
    withPlace(async ({ dir, cache, env }) => {
      const token = "flag-secret-0123456789abcdef";
      const args = ["--root", dir, "--codex", join(dir, "no-codex")];
      const port = pickFreePort("127.0.0.1");
      const viaFlag = await startBridgeProcess({ args: [...args, "--token", token], port, env });
      assert.equal(await viaFlag.stop(), 0, viaFlag.stderr());
      const randomPort = await startBridgeProcess({ args: [...args, "--no-auth"], env });
      assert.equal(await randomPort.stop(), 0, randomPort.stderr());
      assert.deepEqual(await cachedFiles(cache), [], "nothing cached for a flag secret or port 0");

      // Positive control: a token from the variable is cached by presence only.
      const variable = "variable-secret-0123456789abcdef";
      const viaEnv = await startBridgeProcess({ args, port, env: { ...env, CODEX_GPT_BRIDGE_TOKEN: variable } });
      assert.equal(await viaEnv.stop(), 0, viaEnv.stderr());
      const files = await cachedFiles(cache);
      assert.equal(files.length, 1);
      assert.ok(files[0].includes('[ -n "${CODEX_GPT_BRIDGE_TOKEN+set}" ]'), files[0]);
      for (const secret of [token, variable]) assert.ok(!files[0].includes(secret));
      const mode = (await Deno.stat(cache)).mode! & 0o777;
      assert.equal(mode, 0o700, `the cache folder is the owner's only (${mode.toString(8)})`);
    }),
});

/** Starts `./codex-gpt-bridge chatgpt`, answers initialize + tools/list, returns the server's argv. */
async function chatgptOnce(env: Record<string, string>): Promise<{ argv: string[]; tools: string[] }> {
  const child = new Deno.Command(join(PROJECT_DIR, "codex-gpt-bridge"), {
    args: ["chatgpt"],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME")!, RUST_BACKTRACE: "0", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const tools = await listToolsOverStdio(child);
  const argv = argvOf(child.pid);
  await child.stdin.close();
  await child.status;
  return { argv, tools };
}

Deno.test({
  name: "chatgpt: a warm start reuses the plan; another base URL plans afresh; the key is never written",
  sanitizeResources: false,
  fn: () =>
    withPlace(async ({ cache, env, plannings }) => {
      const key = "sk-cache-test-0123456789";
      const one = { ...env, OPENAI_API_KEY: key, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };
      const first = await chatgptOnce(one);
      assert.deepEqual(first.tools, ["ask_chatgpt"]);
      assert.equal(grant(first.argv, "--allow-net"), "--allow-net=127.0.0.1:9");
      const warm = await chatgptOnce(one);
      assert.equal(await plannings(), 1, "the cached plan was used");
      assert.deepEqual(warm.tools, ["ask_chatgpt"], "positive control: it answers");

      const other = await chatgptOnce({ ...one, OPENAI_BASE_URL: "http://127.0.0.1:10/v1" });
      assert.equal(await plannings(), 2);
      assert.equal(grant(other.argv, "--allow-net"), "--allow-net=127.0.0.1:10");
      for (const file of await cachedFiles(cache)) assert.ok(!file.includes(key));
    }),
});

Deno.test("`secret` discards every cached plan (a keychain secret may now fill what the plan did without)", async () => {
  await withPlace(async ({ cache, env }) => {
    await chatgptOnce({ ...env, OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    assert.equal((await cachedFiles(cache)).length, 1);
    await new Deno.Command(join(PROJECT_DIR, "codex-gpt-bridge"), {
      // --help: the owner's keychain stays untouched.
      args: ["secret", "--help"],
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME")!, ...env },
      stdout: "null",
      stderr: "null",
    }).output();
    assert.deepEqual(await cachedFiles(cache), []);
  });
});
