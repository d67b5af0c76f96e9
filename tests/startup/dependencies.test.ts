import assert from "node:assert/strict";
import { join } from "node:path";
import { missingPackages, packageFolder, runtimePackages } from "../../src/startup/dependencies.ts";

const LOCK = {
  specifiers: { "npm:a@1.0.0": "1.0.0", "npm:@s/b@2.0.0": "2.0.0_peer@1.0.0", "npm:test-only@9.0.0": "9.0.0" },
  npm: {
    "a@1.0.0": { dependencies: ["dep", "@s/twice@2.0.0"] },
    "@s/b@2.0.0_peer@1.0.0": { dependencies: ["peer"] },
    "dep@3.0.0": {},
    "peer@1.0.0": {},
    "@s/twice@1.0.0": {},
    "@s/twice@2.0.0": {},
    "test-only@9.0.0": { dependencies: ["only-for-tests"] },
    "only-for-tests@1.0.0": {},
  },
};

Deno.test("runtimePackages() follows the import map's npm entries through the lock, and only those", () => {
  const imports = { a: "npm:a@1.0.0", "b/sub": "npm:@s/b@2.0.0/sub", local: "./x.ts" };
  assert.deepEqual(runtimePackages(imports, LOCK), [
    "@s/b@2.0.0_peer@1.0.0",
    "@s/twice@2.0.0",
    "a@1.0.0",
    "dep@3.0.0",
    "peer@1.0.0",
  ]);
});

Deno.test("packageFolder() names the folder Deno installs a package into", () => {
  assert.equal(packageFolder("/p", "@s/b@2.0.0_peer@1.0.0"), "/p/node_modules/.deno/@s+b@2.0.0");
  assert.equal(packageFolder("/p", "a@1.0.0"), "/p/node_modules/.deno/a@1.0.0");
});

Deno.test("missingPackages() lists what is not installed and nothing once it is", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deps-" });
  try {
    await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify({ imports: { a: "npm:a@1.0.0" } }));
    await Deno.writeTextFile(join(dir, "deno.lock"), JSON.stringify(LOCK));
    assert.deepEqual(await missingPackages(dir), ["@s/twice@2.0.0", "a@1.0.0", "dep@3.0.0"]);
    await Deno.mkdir(packageFolder(dir, "a@1.0.0"), { recursive: true });
    await Deno.mkdir(packageFolder(dir, "dep@3.0.0"), { recursive: true });
    assert.deepEqual(await missingPackages(dir), ["@s/twice@2.0.0"]);
    await Deno.mkdir(packageFolder(dir, "@s/twice@2.0.0"), { recursive: true });
    assert.deepEqual(await missingPackages(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the checkout's runtime packages leave out the conformance suite and what it pulls in", async () => {
  const root = new URL("../../", import.meta.url);
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", root)));
  const keys = runtimePackages(config.imports, lock);
  assert.ok(keys.some((key) => key.startsWith("@modelcontextprotocol/server@")), keys.join(", "));
  for (const key of keys) assert.doesNotMatch(key, /conformance|express|octokit|^@modelcontextprotocol\/sdk@/);
  // Nothing in the lock beyond what the program loads, but the type definitions package.json names for
  // `deno check` and `deno test`.
  const development = Object.keys(lock.npm).filter((key) => !keys.includes(key));
  assert.deepEqual(development.map((key) => key.replace(/@[^@]+$/, "")).sort(), ["@types/node", "undici-types"]);
});
