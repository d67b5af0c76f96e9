/**
 * `codex-gpt-bridge secret set|get|delete NAME` as a real process, with a
 * fake `secret-tool` first on PATH: values go in on stdin and out on stdout,
 * never through argv; unknown names and a missing tool are one clear line.
 */
import assert from "node:assert/strict";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";
import { createFakeKeychain } from "../fixtures/fake_keychain.ts";

const NAME = "codex-gpt-bridge:control-plane-api-key";
const VALUE = "sk-proj-secret-value-0123456789";

async function secret(args: string[], path: string, stdin = "") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-all", "main.ts", "secret", ...args],
    cwd: PROJECT_DIR,
    clearEnv: true,
    env: { PATH: path, HOME: "/nonexistent", NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr).trim() };
}

Deno.test("secret set reads the value from stdin, get prints it, delete removes it; argv never holds it", async () => {
  const fake = await createFakeKeychain();
  const path = `${fake.bin}:/usr/bin:/bin`;
  try {
    const set = await secret(["set", NAME], path, `${VALUE}\n`);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stderr, /Stored codex-gpt-bridge:control-plane-api-key in secret-tool \(libsecret\)/);
    assert.equal(await fake.stored(NAME), VALUE, "stored without the newline echo added");
    const get = await secret(["get", NAME], path);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, `${VALUE}\n`);
    const del = await secret(["delete", NAME], path);
    assert.equal(del.code, 0);
    assert.match(del.stderr, /Deleted codex-gpt-bridge:control-plane-api-key/);
    const again = await secret(["delete", NAME], path);
    assert.equal(again.code, 0, "deleting twice is fine");
    assert.match(again.stderr, /Nothing was stored under/);
    const gone = await secret(["get", NAME], path);
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout, "");
    assert.match(gone.stderr, /^codex-gpt-bridge: Nothing stored under codex-gpt-bridge:control-plane-api-key/);
    assert.doesNotMatch(await fake.argvLog(), /secret-value/, "the value was in a command line");
  } finally {
    await fake.remove();
  }
});

Deno.test("secret set refuses a value on the command line, and stores nothing", async () => {
  const fake = await createFakeKeychain();
  try {
    const result = await secret(["set", NAME, VALUE], `${fake.bin}:/usr/bin:/bin`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /The value is read from standard input, never the command line/);
    assert.equal(await fake.stored(NAME), undefined);
    assert.equal(await fake.argvLog(), "", "the tool was not even started");
  } finally {
    await fake.remove();
  }
});

Deno.test("secret refuses an unknown name with the list of known names, and a malformed value", async () => {
  const fake = await createFakeKeychain();
  const path = `${fake.bin}:/usr/bin:/bin`;
  try {
    const unknown = await secret(["get", "codex-gpt-bridge:password"], path);
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr,
      'codex-gpt-bridge: Unknown secret name "codex-gpt-bridge:password": known names are ' +
        "codex-gpt-bridge:control-plane-api-key, codex-gpt-bridge:control-plane-tunnel-id, codex-gpt-bridge:token",
    );
    const short = await secret(["set", "codex-gpt-bridge:token"], path, "short\n");
    assert.equal(short.code, 2);
    assert.match(short.stderr, /Invalid value for codex-gpt-bridge:token: expected at least 16 characters; nothing/);
    assert.equal(await fake.stored("codex-gpt-bridge:token"), undefined);
    const good = await secret(["set", "codex-gpt-bridge:token"], path, "long-enough-token-0123");
    assert.equal(good.code, 0, "a well-formed value is stored");
    assert.equal(await fake.stored("codex-gpt-bridge:token"), "long-enough-token-0123");
    const action = await secret(["list"], path);
    assert.equal(action.code, 2);
    assert.match(action.stderr, /Unknown secret action "list": use set, get or delete/);
  } finally {
    await fake.remove();
  }
});

Deno.test("secret with no keychain tool on PATH says what to install, without a stack trace", async () => {
  const empty = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "no-tools-" });
  try {
    for (const args of [["get", NAME], ["set", NAME], ["delete", NAME]]) {
      const result = await secret(args, empty, VALUE);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^codex-gpt-bridge: No keychain tool: secret-tool was not found on PATH; install libsecret's tool \(Debian/,
      );
      assert.equal(result.stderr.split("\n").length, 1, "one line");
    }
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("--help lists the secret command and its names", async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-all", "main.ts", "--help"],
    cwd: PROJECT_DIR,
    stdout: "piped",
  }).output();
  const help = new TextDecoder().decode(stdout);
  assert.match(help, /codex-gpt-bridge secret set\|get\|delete NAME/);
  for (const name of ["control-plane-api-key", "control-plane-tunnel-id", "token"]) {
    assert.ok(help.includes(`codex-gpt-bridge:${name}`), name);
  }
});
