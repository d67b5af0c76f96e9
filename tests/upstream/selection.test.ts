import assert from "node:assert/strict";
import { compareVersions, parseCodexVersion, probeCodex } from "../../src/upstream/codex_version.ts";
import { chooseProtocol, createUpstream } from "../../src/upstream/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX, LEGACY_CODEX } from "../fixtures/codex_versions.ts";

/** Runs `fn` with an environment whose HOME and CODEX_HOME are throw-away (even `--version` writes there). */
async function withCodexEnv(fn: (env: Record<string, string>) => Promise<void>) {
  const home = await createCodexHome({ modelBaseUrl: "http://127.0.0.1:9/v1" });
  try {
    await fn({ PATH: Deno.env.get("PATH")!, ...home.env });
  } finally {
    await home.remove();
  }
}

Deno.test("parseCodexVersion() and compareVersions() read Codex's version line", () => {
  assert.equal(parseCodexVersion("codex-cli 0.169.0"), "0.169.0");
  assert.equal(parseCodexVersion("codex-cli 0.154.0-alpha.2\n"), "0.154.0-alpha.2");
  assert.equal(parseCodexVersion("nothing here"), undefined);
  assert.ok(compareVersions("0.153.4", "0.154.0") < 0);
  assert.ok(compareVersions("0.169.0", "0.80.0") > 0);
  assert.equal(compareVersions("1.2.3", "1.2.3-beta"), 0);
});

Deno.test("chooseProtocol() prefers app-server and explains unsuitable choices", () => {
  assert.deepEqual(chooseProtocol("auto", "0.169.0"), { protocol: "app-server" });
  assert.deepEqual(chooseProtocol("auto", "0.153.4"), { protocol: "app-server" });
  assert.deepEqual(chooseProtocol("auto", "0.70.0"), { protocol: "mcp-server" });
  assert.deepEqual(chooseProtocol("mcp-server", "0.153.4"), { protocol: "mcp-server" });
  const tooNew = chooseProtocol("mcp-server", "0.169.0");
  assert.ok("problem" in tooNew && /removed in 0\.154\.0.*--upstream app-server/.test(tooNew.problem));
  const tooOld = chooseProtocol("app-server", "0.70.0");
  assert.ok("problem" in tooOld && /npm i -g @openai\/codex/.test(tooOld.problem));
});

Deno.test("probeCodex() finds the real versions and explains a missing binary", () =>
  withCodexEnv(async (env) => {
    assert.deepEqual(await probeCodex(codexBinary(CURRENT_CODEX), env), { found: true, version: CURRENT_CODEX });
    assert.deepEqual(await probeCodex(codexBinary(LEGACY_CODEX), env), { found: true, version: LEGACY_CODEX });
    const missing = await probeCodex("/nonexistent/codex", env);
    assert.equal(missing.found, false);
    assert.match(!missing.found ? missing.problem : "", /not found at "\/nonexistent\/codex".*npm i -g @openai\/codex/);
    const broken = await probeCodex("false", env);
    assert.equal(broken.found, false);
  }));

Deno.test("createUpstream() picks the adapter and stays answerable when Codex is unsuitable", () =>
  withCodexEnv(async (env) => {
    const pick = (upstream: "auto" | "app-server" | "mcp-server", version: string) =>
      createUpstream({ upstream, codexPath: codexBinary(version), env, log: silentLogger });
    assert.equal((await pick("auto", CURRENT_CODEX)).protocol, "app-server");
    assert.equal((await pick("auto", LEGACY_CODEX)).protocol, "app-server");
    assert.equal((await pick("mcp-server", LEGACY_CODEX)).protocol, "mcp-server");
    const unsuitable = await pick("mcp-server", CURRENT_CODEX);
    const info = await unsuitable.info();
    assert.equal(info.available, false);
    assert.equal(info.version, CURRENT_CODEX);
    assert.match(info.problem!, /has no mcp-server/);
    await assert.rejects(
      unsuitable.startThread({
        prompt: "x",
        cwd: "/",
        sandbox: "read-only",
        approvalPolicy: "never",
        signal: new AbortController().signal,
        onEvent: () => {},
      }),
      /Codex is unavailable: Codex \d+\.\d+\.\d+ has no mcp-server/,
    );
    const missing = await createUpstream({ upstream: "auto", codexPath: "/nope/codex", env, log: silentLogger });
    assert.match((await missing.info()).problem!, /not found/);
  }));
