/**
 * The launcher stage's keychain look-ups: only what this start needs, a set
 * variable always wins, a missing or failing tool means nothing stored; and
 * what it finds reaches the confined child's environment.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openKeychain } from "../../src/keychain/keychain.ts";
import { launchSecrets } from "../../src/keychain/launch_secrets.ts";
import { relaunch } from "../../src/permissions/relaunch.ts";
import { runCommand } from "../../src/os/run_command.ts";
import { createFakeKeychain, type FakeKeychain } from "../fixtures/fake_keychain.ts";

const TUNNEL = `tunnel_${"7b".repeat(16)}`;
const KEY = "sk-tunnel-runtime-key-0123456789";
const TOKEN = "kc-token-0123456789abcdef";

async function withFake(fn: (fake: FakeKeychain) => Promise<void>) {
  const fake = await createFakeKeychain();
  try {
    await fn(fake);
  } finally {
    await fake.remove();
  }
}

function input(fake: FakeKeychain, vars: Record<string, string>, over: { tunnelId?: string; needsToken?: boolean }) {
  const warnings: string[] = [];
  return {
    warnings,
    input: {
      tunnelId: over.tunnelId,
      needsToken: over.needsToken ?? true,
      env: (name: string) => vars[name],
      keychain: openKeychain({ os: "linux", path: `${fake.bin}:/usr/bin:/bin` }),
      warn: (line: string) => void warnings.push(line),
    },
  };
}

const lookups = async (fake: FakeKeychain) =>
  (await fake.argvLog()).split("\n").filter(Boolean).map((line) => line.split(" ").at(-1));

Deno.test("launchSecrets() fills the tunnel id, its key and the token from the keychain when nothing is set", async () => {
  await withFake(async (fake) => {
    await fake.store("codex-gpt-bridge:control-plane-tunnel-id", TUNNEL);
    await fake.store("codex-gpt-bridge:control-plane-api-key", KEY);
    await fake.store("codex-gpt-bridge:token", TOKEN);
    const { input: given, warnings } = input(fake, {}, {});
    assert.deepEqual(await launchSecrets(given), {
      CONTROL_PLANE_TUNNEL_ID: TUNNEL,
      CONTROL_PLANE_API_KEY: KEY,
      CODEX_GPT_BRIDGE_TOKEN: TOKEN,
    });
    assert.deepEqual(warnings, []);
  });
});

Deno.test("launchSecrets() lets every set variable win and does not even look those names up", async () => {
  await withFake(async (fake) => {
    await fake.store("codex-gpt-bridge:control-plane-tunnel-id", TUNNEL);
    await fake.store("codex-gpt-bridge:control-plane-api-key", KEY);
    await fake.store("codex-gpt-bridge:token", TOKEN);
    const vars = { CONTROL_PLANE_API_KEY: "sk-from-env-000", CODEX_GPT_BRIDGE_TOKEN: "env-token-0123456789" };
    // The caller passes the variable's tunnel id as known, as the config does.
    const { input: given } = input(fake, { ...vars, CONTROL_PLANE_TUNNEL_ID: TUNNEL }, { tunnelId: TUNNEL });
    assert.deepEqual(await launchSecrets(given), {});
    assert.deepEqual(await lookups(fake), [], "no name was looked up");
  });
});

Deno.test("launchSecrets() looks the key up only when a tunnel id is known, and the token only when needed", async () => {
  await withFake(async (fake) => {
    await fake.store("codex-gpt-bridge:control-plane-api-key", KEY);
    await fake.store("codex-gpt-bridge:token", TOKEN);
    // No tunnel id anywhere, no token needed (--token or --no-auth given): only the tunnel id is looked up.
    assert.deepEqual(await launchSecrets(input(fake, {}, { needsToken: false }).input), {});
    assert.deepEqual(await lookups(fake), ["codex-gpt-bridge:control-plane-tunnel-id"]);
    // A tunnel id by flag: the key is looked up, the id is not.
    await Deno.writeTextFile(join(fake.bin, "..", "argv.log"), "");
    assert.deepEqual(await launchSecrets(input(fake, {}, { tunnelId: TUNNEL, needsToken: false }).input), {
      CONTROL_PLANE_API_KEY: KEY,
    });
    assert.deepEqual(await lookups(fake), ["codex-gpt-bridge:control-plane-api-key"]);
  });
});

Deno.test("launchSecrets() starts nothing when no keychain tool exists, and warns and goes on when it fails", async () => {
  const empty = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "no-tools-" });
  try {
    let calls = 0;
    const keychain = openKeychain({
      os: "linux",
      path: empty,
      run: (command, args, options) => (calls++, runCommand(command, args, options)),
    });
    const warnings: string[] = [];
    const filled = await launchSecrets({
      tunnelId: TUNNEL,
      needsToken: true,
      env: () => undefined,
      keychain,
      warn: (line) => void warnings.push(line),
    });
    assert.deepEqual(filled, {});
    assert.equal(calls, 0, "no process was started");
    assert.deepEqual(warnings, [], "a missing tool is nothing stored, not a warning");
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
  await withFake(async (fake) => {
    await fake.store("codex-gpt-bridge:token", TOKEN);
    await fake.mode("fail");
    const { input: given, warnings } = input(fake, {}, {});
    assert.deepEqual(await launchSecrets(given), {});
    assert.equal(warnings.length, 2, "tunnel id and token each warned once");
    assert.match(
      warnings.join("\n"),
      /keychain: secret-tool .*Cannot autolaunch D-Bus.*; starting without codex-gpt-bridge:token/,
    );
    await fake.mode("ok");
    assert.deepEqual(await launchSecrets(input(fake, {}, {}).input), { CODEX_GPT_BRIDGE_TOKEN: TOKEN });
  });
});

Deno.test("relaunch() hands the launcher's keychain values to the child in its environment, not its argv", async () => {
  const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "relaunch-env-" });
  try {
    const entry = join(dir, "probe.ts");
    const out = join(dir, "seen.json");
    await Deno.writeTextFile(
      entry,
      `const names = ["CONTROL_PLANE_TUNNEL_ID", "CONTROL_PLANE_API_KEY", "CODEX_GPT_BRIDGE_TOKEN"];
       await Deno.writeTextFile(${JSON.stringify(out)}, JSON.stringify({
         env: Object.fromEntries(names.map((n) => [n, Deno.env.get(n)])), args: Deno.args }));`,
    );
    // relaunch() runs the entry with the deno.json beside it (the checkout's import map).
    await Deno.writeTextFile(join(dir, "deno.json"), "{}");
    const filled = { CONTROL_PLANE_TUNNEL_ID: TUNNEL, CONTROL_PLANE_API_KEY: KEY, CODEX_GPT_BRIDGE_TOKEN: TOKEN };
    const code = await relaunch(`file://${entry}`, "serve", ["--root", dir], {
      flags: [
        "--no-prompt",
        `--allow-env=${Object.keys(filled).join(",")}`,
        `--allow-write=${dir}`,
      ],
      pinnedArgs: [],
      env: filled,
    });
    assert.equal(code, 0);
    const seen = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(seen.env, filled);
    assert.deepEqual(seen.args, ["serve", "--root", dir]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
