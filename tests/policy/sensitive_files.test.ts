import assert from "node:assert/strict";
import { join } from "node:path";
import { assertNoSensitiveFiles, isSensitiveName, scanSensitiveFiles } from "../../src/policy/sensitive_files.ts";
import { PolicyError } from "../../src/errors.ts";
import { SENSITIVE_NAMES } from "../fixtures/sensitive_names.ts";

const SENSITIVE = [...SENSITIVE_NAMES, ".env.production"];

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "scan-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("isSensitiveName() matches each sensitive name in any case and nothing harmless", () => {
  for (const name of SENSITIVE) {
    assert.equal(isSensitiveName(name), true, name);
    assert.equal(isSensitiveName(name.toUpperCase()), true, name.toUpperCase());
  }
  for (const name of [".envrc", "id_rsa.pub", "env", "README.md", "keys.txt", "pem", "monkey", ".environment"]) {
    assert.equal(isSensitiveName(name), false, name);
  }
});

Deno.test("scanSensitiveFiles() finds each sensitive name at several depths", async () => {
  for (const name of SENSITIVE) {
    for (const depth of [0, 1, 4]) {
      await withDir(async (dir) => {
        const parts = Array.from({ length: depth }, (_, i) => `d${i}`);
        await Deno.mkdir(join(dir, ...parts), { recursive: true });
        await Deno.writeTextFile(join(dir, ...parts, name), "secret");
        const result = await scanSensitiveFiles(dir);
        assert.deepEqual(result, { status: "found", paths: [[...parts, name].join("/")] }, `${name} at ${depth}`);
      });
    }
  }
});

Deno.test("scanSensitiveFiles() reports a sensitive name as a directory and as a symlink", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "sub", ".ENV"), { recursive: true });
    await Deno.symlink("/etc/hostname", join(dir, "id_rsa"));
    const result = await scanSensitiveFiles(dir, { stopAfter: 20 });
    assert.deepEqual(result, { status: "found", paths: ["id_rsa", "sub/.ENV"] });
  });
});

Deno.test("scanSensitiveFiles() does not follow symlinked directories", async () => {
  await withDir(async (dir) => {
    const outside = await Deno.makeTempDir({ prefix: "scan-outside-" });
    try {
      await Deno.writeTextFile(join(outside, ".env"), "x");
      await Deno.mkdir(join(dir, "inside"));
      await Deno.symlink(outside, join(dir, "inside", "link"));
      await Deno.symlink(dir, join(dir, "loop"));
      assert.equal((await scanSensitiveFiles(dir)).status, "clean");
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("scanSensitiveFiles() skips .git, node_modules and dist", async () => {
  await withDir(async (dir) => {
    for (const skipped of [".git", "node_modules", "dist"]) {
      await Deno.mkdir(join(dir, skipped, "deep"), { recursive: true });
      await Deno.writeTextFile(join(dir, skipped, "deep", ".env"), "x");
    }
    await Deno.writeTextFile(join(dir, "id_rsa.pub"), "x");
    await Deno.writeTextFile(join(dir, ".envrc"), "x");
    assert.equal((await scanSensitiveFiles(dir)).status, "clean");
  });
});

Deno.test("scanSensitiveFiles() refuses a tree over the entry bound instead of passing it", async () => {
  await withDir(async (dir) => {
    for (let i = 0; i < 50; i++) await Deno.writeTextFile(join(dir, `f${i}.txt`), "");
    const result = await scanSensitiveFiles(dir, { maxEntries: 20 });
    assert.equal(result.status, "too_large");
    await assert.rejects(() => assertNoSensitiveFiles(dir, { maxEntries: 20 }), /could not finish.*more than 20/);
  });
});

Deno.test("scanSensitiveFiles() stops at the first hit by default", async () => {
  await withDir(async (dir) => {
    for (let i = 0; i < 30; i++) await Deno.writeTextFile(join(dir, `k${i}.pem`), "");
    const result = await scanSensitiveFiles(dir);
    assert.equal(result.status === "found" && result.paths.length, 1);
  });
});

Deno.test("scanSensitiveFiles() stops early after enough hits", async () => {
  await withDir(async (dir) => {
    for (let i = 0; i < 30; i++) await Deno.writeTextFile(join(dir, `k${i}.pem`), "");
    const result = await scanSensitiveFiles(dir, { stopAfter: 5 });
    assert.equal(result.status, "found");
    assert.equal(result.status === "found" && result.paths.length, 5);
  });
});

Deno.test("assertNoSensitiveFiles() names what it found and how to fix it", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "config"));
    await Deno.writeTextFile(join(dir, "config", ".env"), "x");
    await assert.rejects(() => assertNoSensitiveFiles(dir), (error: Error) => {
      assert.ok(error instanceof PolicyError);
      assert.match(error.message, /"config\/\.env"/);
      assert.match(error.message, /--disable-secret-scan/);
      return true;
    });
  });
});

Deno.test("assertNoSensitiveFiles() refuses an unreadable directory", async () => {
  if (Deno.uid() === 0) return; // root reads everything; nothing to prove here
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "locked"), { mode: 0o000 });
    await assert.rejects(() => assertNoSensitiveFiles(dir), /cannot be read/);
    await Deno.chmod(join(dir, "locked"), 0o755);
  });
});
