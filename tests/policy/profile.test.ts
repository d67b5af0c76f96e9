import assert from "node:assert/strict";
import { buildConfinement, PRIVATE_SYSTEM_FILES } from "../../src/policy/profile.ts";

const base = {
  root: "/work/repo",
  cwd: "/work/repo/src/app",
  codexInstall: "/opt/node/lib/node_modules/@openai",
  readPaths: ["/home/me/.cargo"],
  secrets: ["/work/repo/.env", "/work/repo/pkg/deep/.env", "/home/me/.cargo/credentials.toml"],
  codexHome: "/home/me/.codex",
} as const;

Deno.test("buildConfinement() reads the root, Codex's install and the read paths; writes nothing read-only", () => {
  const c = buildConfinement({ ...base, sandbox: "read-only" });
  assert.deepEqual(c.readable, ["/work/repo", "/opt/node/lib/node_modules/@openai", "/home/me/.cargo"]);
  assert.deepEqual(c.writable, []);
  for (const secret of base.secrets) assert.ok(c.hidden.includes(secret), secret);
  for (const file of PRIVATE_SYSTEM_FILES) assert.ok(c.hidden.includes(file), file);
});

Deno.test("buildConfinement() writes only the root, pinning each folder above a hidden file in it", () => {
  const c = buildConfinement({ ...base, sandbox: "workspace-write" });
  // pkg and pkg/deep become their own mounts so `mv pkg pkg2` cannot carry pkg/deep/.env out of its cover.
  assert.deepEqual(c.writable, ["/work/repo", "/work/repo/pkg", "/work/repo/pkg/deep"]);
  assert.ok(!c.writable.includes("/home/me/.cargo"), "read paths stay read-only");
});

Deno.test("buildConfinement() hides CODEX_HOME when a readable folder holds it, and only then", () => {
  const inside = buildConfinement({ ...base, sandbox: "read-only", root: "/home/me", cwd: "/home/me" });
  assert.ok(inside.hidden.includes("/home/me/.codex"));
  const apart = buildConfinement({ ...base, sandbox: "read-only" });
  assert.ok(!apart.hidden.includes("/home/me/.codex"));
});

Deno.test("buildConfinement() pins the cwd and every folder above it untrusted", () => {
  const c = buildConfinement({ ...base, sandbox: "read-only" });
  assert.deepEqual(c.untrusted, ["/", "/work", "/work/repo", "/work/repo/src", "/work/repo/src/app"]);
});

Deno.test("buildConfinement() hides collapsed folders whole and pins only the folders above them", () => {
  // What the secret scan returns for a hard-linked package store: one folder per package, and a file beside.
  const packages = Array.from({ length: 300 }, (_, i) => `/work/repo/node_modules/.deno/p${i}@1.0.0/node_modules`);
  const secrets = [...packages, "/work/repo/src/notes.txt"];
  const c = buildConfinement({ ...base, secrets, sandbox: "workspace-write" });
  for (const secret of secrets) assert.ok(c.hidden.includes(secret), secret);
  assert.deepEqual(c.hidden, [...c.hidden].sort());
  assert.deepEqual(c.writable, [
    "/work/repo",
    "/work/repo/node_modules",
    "/work/repo/node_modules/.deno",
    ...packages.map((path) => path.slice(0, -"/node_modules".length)).sort(),
    "/work/repo/src",
  ]);
  for (const folder of secrets) assert.ok(!c.writable.includes(folder), `${folder} is hidden, not writable`);
  assert.deepEqual(buildConfinement({ ...base, secrets, sandbox: "read-only" }).writable, []);
});
