/**
 * The bridge started the way a user starts it (`./codex-gpt-bridge serve`)
 * with a fake `secret-tool` first on PATH: a token stored in the keychain is
 * the one the confined child accepts, and a variable that is set wins.
 * A secret from the keychain never passes through the script's shell: the
 * launcher then stays resident and hands it to its child's environment
 * (without one, the script execs the confined stage).
 */
import assert from "node:assert/strict";
import { startBridgeProcess } from "../fixtures/bridge_process.ts";
import { connectClient } from "../fixtures/bridge_client.ts";
import { createFakeKeychain } from "../fixtures/fake_keychain.ts";

const STORED = "kc-stored-token-0123456789abcdef";
const FROM_ENV = "env-token-0123456789abcdef";

const argvOf = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
const childrenOf = (pid: number) =>
  Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean).map(Number);
/** Whether `pid` runs the confined stage (it holds scoped grants, which the launcher never has). */
const confined = (pid: number) => argvOf(pid).some((arg) => arg.startsWith("--allow-read="));

async function status(url: string, token: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("serve uses the keychain's token when none is given, and a set variable wins over it", async () => {
  const fake = await createFakeKeychain();
  const root = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "kc-root-" });
  const path = `${fake.bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
  const args = ["--root", root, "--codex", "/nonexistent/codex"];
  try {
    await fake.store("codex-gpt-bridge:token", STORED);
    const bridge = await startBridgeProcess({ args, env: { PATH: path, CODEX_GPT_BRIDGE_NO_KEYCHAIN: "0" } });
    try {
      assert.match(bridge.startLine, /never stored/, bridge.startLine);
      assert.doesNotMatch(bridge.startLine + bridge.stderr(), new RegExp(STORED), "the stored token was printed");
      // The keychain filled the token: the launcher stays resident, its child serves, no argv holds the secret.
      assert.ok(!confined(bridge.pid), argvOf(bridge.pid).join(" "));
      const servers = childrenOf(bridge.pid).filter(confined);
      assert.equal(servers.length, 1, `children: ${childrenOf(bridge.pid).join(" ")}`);
      for (const pid of [bridge.pid, ...servers]) assert.doesNotMatch(argvOf(pid).join(" "), new RegExp(STORED));
      const client = await connectClient(bridge.url, { token: STORED });
      assert.ok((await client.listTools()).tools.length > 0, "the keychain's token is accepted");
      await client.close();
      assert.equal(await status(bridge.url, "wrong-token-0123456789abcdef"), 401, "another token is refused");
    } finally {
      await bridge.stop();
    }
    const log = await fake.argvLog();
    assert.match(log, /lookup service codex-gpt-bridge name codex-gpt-bridge:token/);
    assert.match(log, /lookup service codex-gpt-bridge name codex-gpt-bridge:control-plane-tunnel-id/);
    assert.doesNotMatch(log, /control-plane-api-key/, "no tunnel id stored, so the key was not looked up");

    await Deno.writeTextFile(`${fake.bin}/../argv.log`, "");
    const withEnv = await startBridgeProcess({
      args,
      env: { PATH: path, CODEX_GPT_BRIDGE_NO_KEYCHAIN: "0", CODEX_GPT_BRIDGE_TOKEN: FROM_ENV },
    });
    try {
      assert.equal(await status(withEnv.url, FROM_ENV), 200, "the variable's token is accepted");
      // Positive control: nothing came from the keychain, so the script exec'd the confined stage.
      assert.ok(confined(withEnv.pid), argvOf(withEnv.pid).join(" "));
      assert.equal(await status(withEnv.url, STORED), 401, "the keychain's token is not");
    } finally {
      await withEnv.stop();
    }
    assert.doesNotMatch(await fake.argvLog(), /name codex-gpt-bridge:token/, "the token was not even looked up");
  } finally {
    await fake.remove();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve starts as before with no keychain tool on PATH, generating its token", async () => {
  const root = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "kc-root-" });
  try {
    const bridge = await startBridgeProcess({
      args: ["--root", root, "--codex", "/nonexistent/codex"],
      env: { CODEX_GPT_BRIDGE_NO_KEYCHAIN: "0" },
    });
    try {
      assert.match(bridge.startLine, /bearer token \(new, kept in .*token; read it with/, bridge.startLine);
      assert.doesNotMatch(bridge.stderr(), /keychain/i, "a missing tool is not worth a warning");
    } finally {
      await bridge.stop();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
