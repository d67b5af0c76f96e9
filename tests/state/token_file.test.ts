import assert from "node:assert/strict";
import { join } from "node:path";
import { describeStoredToken, loadOrCreateToken, TOKEN_FILE_NAME } from "../../src/state/token_file.ts";
import { generateToken } from "../../src/config/serve_config.ts";

async function withStateDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "token-file-" });
  try {
    await fn(join(base, "state"));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("loadOrCreateToken() stores a new token owner-only and reuses it at the next start", async () => {
  await withStateDir(async (dir) => {
    const first = await loadOrCreateToken(dir, { fresh: generateToken() });
    assert.equal(first.outcome, "created");
    assert.equal(first.path, join(dir, TOKEN_FILE_NAME));
    assert.equal((await Deno.readTextFile(first.path)).trim(), first.token);
    assert.equal(await mode(first.path), 0o600);
    assert.equal(await mode(dir), 0o700);
    const second = await loadOrCreateToken(dir, { fresh: generateToken() });
    assert.deepEqual(second, { ...first, outcome: "reused" });
    // Nothing but the token file is left behind (no temporary files).
    assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), [TOKEN_FILE_NAME]);
  });
});

Deno.test("loadOrCreateToken() with rotate replaces the stored token, still owner-only", async () => {
  await withStateDir(async (dir) => {
    const old = await loadOrCreateToken(dir, { fresh: generateToken() });
    const fresh = generateToken();
    const rotated = await loadOrCreateToken(dir, { fresh, rotate: true });
    assert.equal(rotated.outcome, "rotated");
    assert.equal(rotated.token, fresh);
    assert.notEqual(rotated.token, old.token);
    assert.equal((await Deno.readTextFile(rotated.path)).trim(), fresh);
    assert.equal(await mode(rotated.path), 0o600);
    assert.equal((await loadOrCreateToken(dir, { fresh: generateToken() })).token, fresh);
  });
});

Deno.test("loadOrCreateToken() does not trust a token file others could read, nor one holding no token", async () => {
  await withStateDir(async (dir) => {
    const stored = await loadOrCreateToken(dir, { fresh: generateToken() });
    await Deno.chmod(stored.path, 0o644);
    const replaced = await loadOrCreateToken(dir, { fresh: generateToken() });
    assert.equal(replaced.outcome, "replaced");
    assert.match(replaced.reason!, /others could read it \(mode 644\)/);
    assert.notEqual(replaced.token, stored.token);
    assert.equal(await mode(replaced.path), 0o600);

    await Deno.writeTextFile(replaced.path, "short\n", { mode: 0o600 });
    const garbage = await loadOrCreateToken(dir, { fresh: generateToken() });
    assert.equal(garbage.outcome, "replaced");
    assert.equal(garbage.reason, "it holds no token");
  });
});

Deno.test("loadOrCreateToken() replaces a symbolic link with a file and leaves its target alone", async () => {
  await withStateDir(async (dir) => {
    await Deno.mkdir(dir, { recursive: true });
    const target = join(dir, "..", "elsewhere");
    const planted = generateToken();
    await Deno.writeTextFile(target, planted, { mode: 0o600 });
    await Deno.symlink(target, join(dir, TOKEN_FILE_NAME));
    const stored = await loadOrCreateToken(dir, { fresh: generateToken() });
    assert.equal(stored.outcome, "replaced");
    assert.notEqual(stored.token, planted);
    assert.equal(await Deno.readTextFile(target), planted);
    assert.ok((await Deno.lstat(stored.path)).isFile);
  });
});

Deno.test("describeStoredToken() says where the token lives and how to read it, never the token", () => {
  const token = generateToken();
  const text = describeStoredToken({ token, path: "/s/token", outcome: "reused" });
  assert.equal(text, "reused from /s/token; read it with `cat /s/token`; --rotate-token makes a new one");
  assert.ok(!text.includes(token));
  assert.match(
    describeStoredToken({ token, path: "/my state/it's/token", outcome: "created" }),
    /^new, kept in \/my state\/it's\/token; read it with `cat '\/my state\/it'\\''s\/token'`/,
  );
});
