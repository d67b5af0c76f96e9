/**
 * The generated token survives restarts: stored owner-only in the state
 * folder by the serving process, reused, replaced on --rotate-token; a token
 * given by flag or variable is never written anywhere.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startBridgeProcess } from "../fixtures/bridge_process.ts";

/** Status of a `ping` sent with `token` (or none). */
async function pingStatus(url: string, token?: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: {} }),
  });
  await response.body?.cancel();
  return response.status;
}

async function withFolders(fn: (root: string, stateDir: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "stable-token-" });
  await Deno.mkdir(join(base, "root"));
  try {
    await fn(join(base, "root"), join(base, "state"));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

/** Starts the bridge with `extra` arguments, runs `fn` against it, stops it. */
async function running(
  root: string,
  stateDir: string,
  extra: string[],
  fn: (url: string, startLine: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const bridge = await startBridgeProcess({
    args: ["--root", root, "--codex", join(root, "no-codex"), ...extra],
    stateDir,
    env,
  });
  try {
    await fn(bridge.url, bridge.startLine);
  } finally {
    assert.equal(await bridge.stop(), 0, bridge.stderr());
  }
}

Deno.test({
  name: "a generated token is stored owner-only, reused at the next start and replaced by --rotate-token",
  sanitizeResources: false,
  fn: async () => {
    await withFolders(async (root, stateDir) => {
      const file = join(stateDir, "token");
      let first = "";
      await running(root, stateDir, [], async (url, line) => {
        first = (await Deno.readTextFile(file)).trim();
        assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
        assert.ok(line.includes(`auth: bearer token (new, kept in ${file}; read it with \`cat ${file}\``), line);
        assert.ok(!line.includes(first), "the start line shows the token");
        assert.equal(await pingStatus(url), 401);
        assert.equal(await pingStatus(url, first), 200);
      });
      await running(root, stateDir, [], async (url, line) => {
        assert.ok(line.includes(`auth: bearer token (reused from ${file};`), line);
        assert.equal((await Deno.readTextFile(file)).trim(), first);
        assert.equal(await pingStatus(url, first), 200);
      });
      await running(root, stateDir, ["--rotate-token"], async (url, line) => {
        const rotated = (await Deno.readTextFile(file)).trim();
        assert.notEqual(rotated, first);
        assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
        assert.ok(line.includes(`auth: bearer token (new, kept in ${file};`), line);
        assert.equal(await pingStatus(url, first), 401);
        assert.equal(await pingStatus(url, rotated), 200);
      });
    });
  },
});

Deno.test({
  name: "a token given by flag or variable is used and never stored",
  sanitizeResources: false,
  fn: async () => {
    await withFolders(async (root, stateDir) => {
      const given = "given-token-0123456789abcdef";
      await running(root, stateDir, ["--token", given], async (url, line) => {
        assert.match(
          line,
          /auth: bearer token \(given by --token, CODEX_GPT_BRIDGE_TOKEN or the keychain's codex-gpt-bridge:token; never stored\)/,
        );
        assert.equal(await pingStatus(url, given), 200);
      });
      await running(root, stateDir, [], async (url) => {
        assert.equal(await pingStatus(url, given), 200);
      }, { CODEX_GPT_BRIDGE_TOKEN: given });
      const names = [...Deno.readDirSync(stateDir)].map((entry) => entry.name);
      assert.ok(!names.includes("token"), names.join(", "));
      for (const name of names) {
        const path = join(stateDir, name);
        if (Deno.statSync(path).isFile) assert.ok(!Deno.readTextFileSync(path).includes(given), name);
      }
      // Positive control: without one, the same folder gets the generated token.
      await running(root, stateDir, [], async (url) => {
        assert.equal(await pingStatus(url, (await Deno.readTextFile(join(stateDir, "token"))).trim()), 200);
      });
    });
  },
});
