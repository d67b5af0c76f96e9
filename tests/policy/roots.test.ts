import assert from "node:assert/strict";
import { join } from "node:path";
import { isPathInside, resolveAllowedCwd, resolveRoots } from "../../src/policy/roots.ts";
import { ConfigError, PolicyError } from "../../src/errors.ts";

async function tree() {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "roots-" }));
  const root = join(base, "root");
  await Deno.mkdir(join(root, "a", "b"), { recursive: true });
  await Deno.mkdir(join(base, "root-evil"));
  await Deno.mkdir(join(base, "rootx"));
  await Deno.mkdir(join(base, "outside"));
  await Deno.writeTextFile(join(root, "file.txt"), "x");
  await Deno.symlink(join(base, "outside"), join(root, "link-out"));
  await Deno.symlink(join(root, "a"), join(root, "link-in"));
  await Deno.symlink(join(root, "link-out"), join(root, "chain-out"));
  await Deno.mkdir(join(root, "..dots"));
  return { base, root, cleanup: () => Deno.remove(base, { recursive: true }) };
}

async function refused(cwd: string | undefined, roots: Awaited<ReturnType<typeof resolveRoots>>, pattern: RegExp) {
  await assert.rejects(() => resolveAllowedCwd(cwd, roots), (error: Error) => {
    assert.ok(error instanceof PolicyError, `expected PolicyError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("isPathInside() is separator-safe", () => {
  assert.equal(isPathInside("/a/b", "/a/b"), true);
  assert.equal(isPathInside("/a/b/c", "/a/b"), true);
  assert.equal(isPathInside("/a/bc", "/a/b"), false);
  assert.equal(isPathInside("/a", "/a/b"), false);
  assert.equal(isPathInside("/a/b/..c", "/a/b"), true);
  assert.equal(isPathInside("/", "/a"), false);
});

Deno.test("resolveRoots() resolves, deduplicates and refuses missing roots and files", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root, `${t.root}/`, join(t.root, "a", "..")]);
    assert.deepEqual(roots.map((r) => r.resolved), [t.root]);
    await assert.rejects(() => resolveRoots([join(t.base, "missing")]), ConfigError);
    await assert.rejects(() => resolveRoots([join(t.root, "file.txt")]), /not a directory/);
    await assert.rejects(() => resolveRoots(["/tmp\0x"]), /NUL byte/);
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() defaults to the single root and accepts paths inside it", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root]);
    assert.equal(await resolveAllowedCwd(undefined, roots), t.root);
    assert.equal(await resolveAllowedCwd("a/b", roots), join(t.root, "a", "b"));
    assert.equal(await resolveAllowedCwd(join(t.root, "a"), roots), join(t.root, "a"));
    assert.equal(await resolveAllowedCwd("a/../a/b/..", roots), join(t.root, "a"));
    assert.equal(await resolveAllowedCwd("link-in", roots), join(t.root, "a"), "a symlink pointing inside is fine");
    assert.equal(await resolveAllowedCwd("..dots", roots), join(t.root, "..dots"));
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() rejects a sibling with the same prefix", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root]);
    await refused(join(t.base, "root-evil"), roots, /outside the allowed roots/);
    await refused(join(t.base, "rootx"), roots, /outside the allowed roots/);
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() rejects traversal and absolute paths outside", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root]);
    for (const cwd of ["..", "../outside", "a/../../outside", "/", "/etc", t.base]) {
      await refused(cwd, roots, /outside the allowed roots/);
    }
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() rejects symlinks and symlink chains pointing out", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root]);
    await refused("link-out", roots, /through a symlink/);
    await refused("chain-out", roots, /through a symlink/);
    await refused(join(t.root, "link-out"), roots, /through a symlink/);
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() rejects NUL bytes, empty, missing, files and very long paths", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root]);
    await refused("a\0b", roots, /NUL byte/);
    await refused("", roots, /empty/);
    await refused("   ", roots, /empty/);
    await refused("nope", roots, /does not exist/);
    await refused("file.txt", roots, /not a directory/);
    await refused("x".repeat(10_000), roots, /longer than 4096/);
    await refused(`${"a/".repeat(1500)}`, roots, /does not exist|cannot be used/);
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() requires an absolute cwd when there are several roots", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root, join(t.base, "outside")]);
    await refused(undefined, roots, /cwd is required/);
    await refused("a", roots, /relative/);
    assert.equal(await resolveAllowedCwd(join(t.base, "outside"), roots), join(t.base, "outside"));
    assert.equal(await resolveAllowedCwd(join(t.root, "link-out"), roots), join(t.base, "outside"));
  } finally {
    await t.cleanup();
  }
});

Deno.test("resolveAllowedCwd() accepts unicode names but not look-alikes outside", async () => {
  const t = await tree();
  try {
    const roots = await resolveRoots([t.root]);
    await Deno.mkdir(join(t.root, "données"));
    assert.equal(await resolveAllowedCwd("données", roots), join(t.root, "données"));
    // "root" with a Cyrillic "о" is another directory, outside.
    await Deno.mkdir(join(t.base, "rооt"));
    await refused(join(t.base, "rооt"), roots, /outside/);
  } finally {
    await t.cleanup();
  }
});
