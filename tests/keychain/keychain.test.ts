/**
 * The keychain module against fake `secret-tool` and `security` commands
 * (real processes on a PATH of their own): values round-trip, never travel
 * in argv, a missing or failing tool is a clear message.
 */
import assert from "node:assert/strict";
import { KeychainError, openKeychain } from "../../src/keychain/keychain.ts";
import { runCommand } from "../../src/os/run_command.ts";
import { SECRETS, secretSpec } from "../../src/keychain/secret_names.ts";
import { createFakeKeychain } from "../fixtures/fake_keychain.ts";

const TOKEN = "tok_9f8e7d6c5b4a39281706";
const TOKEN_NAME = "codex-gpt-bridge:token";

for (const os of ["linux", "darwin"] as const) {
  const tool = os === "linux" ? "secret-tool" : "security";

  Deno.test(`on ${os}, a value stored with ${tool} reads back, deletes once, and never appears in any argv`, async () => {
    const fake = await createFakeKeychain();
    try {
      const keychain = openKeychain({ os, path: `${fake.bin}:/usr/bin:/bin` });
      assert.equal(keychain.available, true);
      assert.equal(await keychain.get(TOKEN_NAME), undefined, "nothing stored yet");
      await keychain.set(TOKEN_NAME, TOKEN);
      assert.equal(await fake.stored(TOKEN_NAME), TOKEN, "the tool received the exact value");
      assert.equal(await keychain.get(TOKEN_NAME), TOKEN);
      await keychain.set(TOKEN_NAME, `${TOKEN}-2`);
      assert.equal(await keychain.get(TOKEN_NAME), `${TOKEN}-2`, "set replaces");
      assert.equal(await keychain.delete(TOKEN_NAME), true);
      assert.equal(await keychain.delete(TOKEN_NAME), false, "a second delete finds nothing");
      assert.equal(await keychain.get(TOKEN_NAME), undefined);
      const argv = await fake.argvLog();
      assert.match(argv, new RegExp(TOKEN_NAME), "the tool was really called");
      assert.doesNotMatch(argv, /tok_9f8e7d6c5b4a39281706/, "the value was in a command line");
    } finally {
      await fake.remove();
    }
  });

  Deno.test(`on ${os}, a ${tool} that fails is one clear KeychainError carrying what the tool said`, async () => {
    const fake = await createFakeKeychain();
    try {
      const keychain = openKeychain({ os, path: `${fake.bin}:/usr/bin:/bin` });
      await fake.mode("fail");
      await assert.rejects(keychain.get(TOKEN_NAME), (error: Error) => {
        assert.ok(error instanceof KeychainError);
        assert.match(error.message, new RegExp(`^${tool}.* could not read ${TOKEN_NAME} \\(exit \\d+: .+\\)$`));
        return true;
      });
      await assert.rejects(keychain.set(TOKEN_NAME, TOKEN), KeychainError);
      await fake.mode("ok");
      await keychain.set(TOKEN_NAME, TOKEN);
      assert.equal(await keychain.get(TOKEN_NAME), TOKEN, "the same keychain works once the tool does");
    } finally {
      await fake.remove();
    }
  });

  Deno.test(`on ${os}, a ${tool} that never answers is stopped at the time limit with a hint`, async () => {
    const fake = await createFakeKeychain();
    try {
      await fake.mode("hang");
      const keychain = openKeychain({ os, path: `${fake.bin}:/usr/bin:/bin`, timeoutMs: 500 });
      const started = performance.now();
      await assert.rejects(keychain.get(TOKEN_NAME), /did not answer within 0.5 s .*locked/);
      assert.ok(performance.now() - started < 20_000, "the time limit held");
    } finally {
      await fake.remove();
    }
  });

  Deno.test(`on ${os}, a missing ${tool} is "not available" and every operation says what to install`, async () => {
    const empty = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "no-tools-" });
    try {
      let calls = 0;
      const keychain = openKeychain({
        os,
        path: empty,
        run: (command, args, options) => (calls++, runCommand(command, args, options)),
      });
      assert.equal(keychain.available, false);
      for (const attempt of [keychain.get(TOKEN_NAME), keychain.set(TOKEN_NAME, TOKEN), keychain.delete(TOKEN_NAME)]) {
        await assert.rejects(
          attempt,
          new RegExp(`^KeychainError: No keychain tool: ${tool} was not found on PATH; .+`),
        );
      }
      assert.equal(calls, 0, "no process was started");
    } finally {
      await Deno.remove(empty, { recursive: true });
    }
  });
}

Deno.test("openKeychain() on Windows says there is no keychain support instead of crashing", async () => {
  const keychain = openKeychain({ os: "windows", path: "" });
  assert.equal(keychain.available, false);
  await assert.rejects(keychain.get(TOKEN_NAME), /No keychain support on windows: set the environment variables/);
});

Deno.test("the known secrets are the original project's names, each filling its variable", () => {
  assert.deepEqual(SECRETS.map((spec) => [spec.name, spec.env]), [
    ["codex-gpt-bridge:control-plane-api-key", "CONTROL_PLANE_API_KEY"],
    ["codex-gpt-bridge:control-plane-tunnel-id", "CONTROL_PLANE_TUNNEL_ID"],
    ["codex-gpt-bridge:token", "CODEX_GPT_BRIDGE_TOKEN"],
  ]);
});

Deno.test("secret values must be plain; a real key, id and token pass", () => {
  const key = secretSpec("codex-gpt-bridge:control-plane-api-key")!;
  const tunnel = secretSpec("codex-gpt-bridge:control-plane-tunnel-id")!;
  const token = secretSpec("codex-gpt-bridge:token")!;
  assert.equal(key.check("sk-proj-AbC_123-xyz="), undefined);
  assert.equal(tunnel.check(`tunnel_${"a1".repeat(16)}`), undefined);
  assert.equal(token.check(TOKEN), undefined);
  assert.match(key.check("with space")!, /no spaces or quotes/);
  assert.match(key.check('quo"te')!, /no spaces or quotes/);
  assert.match(key.check("back\\slash")!, /no spaces or quotes/);
  assert.match(key.check("")!, /empty/);
  assert.match(tunnel.check("tunnel_SHOUTING0000000000000000000000")!, /tunnel_ followed by 32 lowercase/);
  assert.match(token.check("short")!, /at least 16 characters/);
});
