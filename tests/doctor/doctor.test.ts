/**
 * Each `doctor` check passes where `serve` would work and fails (with a fix)
 * where it would not, on real temp folders, real ports and the real Codex
 * in a throw-away HOME and CODEX_HOME.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseServeConfig } from "../../src/config/serve_config.ts";
import { readOptions } from "../../src/config/read_options.ts";
import { SERVE_OPTIONS } from "../../src/config/options.ts";
import type { Check, CheckResult, DoctorContext } from "../../src/doctor/check.ts";
import { checkCodex, checkCodexLogin } from "../../src/doctor/codex_checks.ts";
import { checkReadPaths, checkRoots } from "../../src/doctor/root_checks.ts";
import { checkAuth, checkPermissions, checkPort, checkStateDir } from "../../src/doctor/server_checks.ts";
import { runDoctor } from "../../src/cli/doctor.ts";
import { setupCodex } from "../../src/cli/setup_codex.ts";
import { checkCodexConfig } from "../../src/doctor/codex_config_checks.ts";
import { codexBinary, CURRENT_CODEX, LEGACY_CODEX } from "../fixtures/codex_versions.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";

/** A throw-away HOME (with CODEX_HOME inside) and a root folder. */
async function withPlace(fn: (place: { home: string; codexHome: string; root: string }) => Promise<void>) {
  const home = await Deno.realPath(await Deno.makeTempDir({ prefix: "doctor-" }));
  const codexHome = join(home, ".codex");
  const root = join(home, "project");
  await Deno.mkdir(codexHome);
  await Deno.mkdir(root);
  try {
    await fn({ home, codexHome, root });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function context(args: string[], given?: Record<string, string>): DoctorContext {
  // A HOME for the default state folder that no check touches.
  const vars = given ?? { HOME: "/nonexistent-doctor-home", PATH: Deno.env.get("PATH")! };
  const env = (name: string) => vars[name];
  const raw = readOptions(SERVE_OPTIONS, args, env) as Record<string, { source: string } | undefined>;
  return { config: parseServeConfig(args, env), env, sourceOf: (option) => raw[option]?.source };
}

async function run(check: Check, args: string[], vars?: Record<string, string>): Promise<CheckResult[]> {
  return await check(context(args, vars));
}

const byName = (results: CheckResult[], name: string) => {
  const found = results.find((result) => result.name === name);
  assert.ok(found, `no ${name} in ${JSON.stringify(results)}`);
  return found;
};

Deno.test("doctor finds the current Codex, its app-server adapter and its confinement", async () => {
  const results = await run(checkCodex, ["--root", "/", "--codex", codexBinary(CURRENT_CODEX)]);
  assert.deepEqual(results.map((r) => [r.name, r.status]), [["codex", "ok"], ["adapter", "ok"], ["confinement", "ok"]]);
  assert.match(byName(results, "codex").detail, new RegExp(`Codex ${CURRENT_CODEX.replaceAll(".", "\\.")} at `));
});

Deno.test("doctor fails a missing Codex with the install hint", async () => {
  const [result] = await run(checkCodex, ["--root", "/", "--codex", "/nonexistent/codex"]);
  assert.equal(result.status, "fail");
  assert.match(result.fix ?? "", /npm i -g @openai\/codex/);
});

Deno.test("doctor fails an adapter the installed Codex lacks, and a Codex that cannot be confined", async () => {
  const [, adapter] = await run(checkCodex, [
    "--root",
    "/",
    "--codex",
    codexBinary(CURRENT_CODEX),
    "--upstream",
    "mcp-server",
  ]);
  assert.equal(adapter.status, "fail");
  assert.match(adapter.detail, /has no mcp-server/);
  const legacy = ["--root", "/", "--codex", codexBinary(LEGACY_CODEX), "--upstream", "mcp-server"];
  const confinement = byName(await run(checkCodex, legacy), "confinement");
  assert.equal(confinement.status, "fail");
  assert.match(confinement.detail, /cannot confine/);
  // The owner's explicit choice turns it into a warning.
  const allowed = byName(await run(checkCodex, [...legacy, "--allow-unconfined-codex"]), "confinement");
  assert.equal(allowed.status, "warn");
});

Deno.test("doctor fails a Codex that is not logged in and passes one logged in with an API key", async () => {
  await withPlace(async ({ home, codexHome }) => {
    const vars = { HOME: home, CODEX_HOME: codexHome, PATH: Deno.env.get("PATH")! };
    const args = ["--root", home, "--codex", codexBinary(CURRENT_CODEX)];
    const [out] = await run(checkCodexLogin, args, vars);
    assert.equal(out.status, "fail", JSON.stringify(out));
    assert.match(out.fix ?? "", /codex login/);
    const login = new Deno.Command(codexBinary(CURRENT_CODEX), {
      args: ["login", "--with-api-key"],
      clearEnv: true,
      env: vars,
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const writer = login.stdin.getWriter();
    await writer.write(new TextEncoder().encode("sk-doctor-test-key\n"));
    await writer.close();
    const { code, stderr } = await login.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const [logged] = await run(checkCodexLogin, args, vars);
    assert.equal(logged.status, "ok", JSON.stringify(logged));
    assert.match(logged.detail, /apiKey/);
    assert.doesNotMatch(JSON.stringify(logged), /sk-doctor-test-key/);
  });
});

Deno.test("doctor counts the files a root would hide, and fails a root that does not exist", async () => {
  await withPlace(async ({ root }) => {
    await Deno.writeTextFile(join(root, ".env"), "TOKEN=x\n");
    await Deno.writeTextFile(join(root, "main.ts"), "export {};\n");
    const results = await run(checkRoots, ["--root", root]);
    assert.equal(byName(results, `root ${root}`).status, "ok");
    const secrets = byName(results, `secrets ${root}`);
    assert.equal(secrets.status, "ok");
    assert.match(secrets.detail, /^1 of \d+ entries would be hidden/);
    const missing = join(root, "gone");
    const [fail] = await run(checkRoots, ["--root", missing]);
    assert.deepEqual([fail.status, fail.detail], ["fail", "does not exist"]);
    const off = byName(await run(checkRoots, ["--root", root, "--disable-secret-scan"]), `secrets ${root}`);
    assert.equal(off.status, "warn");
  });
});

Deno.test("doctor fails a secret scan that cannot finish, which would refuse every call", async () => {
  await withPlace(async ({ root }) => {
    for (let i = 0; i < 1001; i++) await Deno.writeTextFile(join(root, `${i}.pem`), "");
    const secrets = byName(await run(checkRoots, ["--root", root]), `secrets ${root}`);
    assert.equal(secrets.status, "fail");
    assert.match(secrets.detail, /cannot finish/);
  });
});

Deno.test("doctor checks each read path exists", async () => {
  await withPlace(async ({ home }) => {
    const results = await run(checkReadPaths, ["--root", "/", "--codex-read-path", home, "--codex-read-path", "/nope"]);
    assert.deepEqual(results.map((r) => r.status), ["ok", "fail"]);
  });
});

Deno.test("doctor passes a free port and fails one in use", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    const [busy] = await run(checkPort, ["--root", "/", "--port", String(port)]);
    assert.equal(busy.status, "fail");
    assert.match(busy.detail, /in use/);
  } finally {
    listener.close();
  }
  const [free] = await run(checkPort, ["--root", "/", "--port", String(port)]);
  assert.equal(free.status, "ok", JSON.stringify(free));
  const [any] = await run(checkPort, ["--root", "/", "--port", "0"]);
  assert.equal(any.status, "ok");
});

Deno.test("doctor names the token's source and never shows the token", async () => {
  const token = "doctor-token-0123456789";
  const [generated] = await run(checkAuth, ["--root", "/", "--state-dir", "/s/state"]);
  assert.equal(generated.status, "ok");
  assert.match(generated.detail, /kept in \/s\/state\/token \(owner-only, reused; --rotate-token replaces it\)/);
  const [fromVariable] = await run(checkAuth, ["--root", "/"], { HOME: "/h", CODEX_GPT_BRIDGE_TOKEN: token });
  assert.deepEqual([fromVariable.status, fromVariable.detail], ["ok", "bearer token from CODEX_GPT_BRIDGE_TOKEN"]);
  const [fromFlag] = await run(checkAuth, ["--root", "/", "--token", token]);
  assert.equal(fromFlag.status, "warn");
  const [none] = await run(checkAuth, ["--root", "/", "--no-auth"]);
  assert.equal(none.status, "warn");
  const [oauth] = await run(checkAuth, ["--root", "/", "--auth", "oauth", "--public-url", "https://b.example.com"]);
  assert.deepEqual([oauth.status, oauth.detail.split(":")[0]], ["ok", "OAuth for https"]);
  assert.match(oauth.detail, /https:\/\/b\.example\.com\/mcp: each client approved with a consent code/);
  assert.doesNotMatch(JSON.stringify([generated, fromVariable, fromFlag]), new RegExp(token));
});

Deno.test("doctor passes a writable or creatable state folder and fails one that cannot be", async () => {
  await withPlace(async ({ home }) => {
    const [existing] = await run(checkStateDir, ["--root", "/", "--state-dir", home]);
    assert.equal(existing.status, "ok");
    const [creatable] = await run(checkStateDir, ["--root", "/", "--state-dir", join(home, "a", "b")]);
    assert.equal(creatable.status, "ok");
    assert.match(creatable.detail, /serve creates it/);
    await Deno.writeTextFile(join(home, "file"), "");
    const [file] = await run(checkStateDir, ["--root", "/", "--state-dir", join(home, "file")]);
    assert.equal(file.status, "fail");
    const [under] = await run(checkStateDir, ["--root", "/", "--state-dir", join(home, "file", "state")]);
    assert.equal(under.status, "fail");
    assert.match(under.detail, /cannot be created/);
    // Nothing was created.
    assert.equal(await Deno.stat(join(home, "a")).then(() => true, () => false), false);
  });
});

Deno.test("doctor shows the permissions serve would get, and fails when they cannot be computed", async () => {
  await withPlace(async ({ root, home }) => {
    const args = ["--root", root, "--state-dir", join(home, "state"), "--port", "9"];
    const [ok] = await run(checkPermissions, args, { PATH: Deno.env.get("PATH")! });
    assert.equal(ok.status, "ok");
    assert.match(ok.detail, new RegExp(`--allow-read=${root}`));
    assert.match(ok.detail, /--allow-net=127\.0\.0\.1:9 /);
    const [fail] = await run(checkPermissions, ["--root", join(root, "gone"), "--state-dir", join(home, "state")]);
    assert.equal(fail.status, "fail");
  });
});

Deno.test("doctor exits 0 when nothing fails (warnings included), 1 on a fail, and prints JSON on request", async () => {
  await withPlace(async ({ home, codexHome, root }) => {
    const vars: Record<string, string> = { HOME: home, CODEX_HOME: codexHome, PATH: Deno.env.get("PATH")! };
    // A logged-in Codex for the passing run (no network: auth.json only).
    await Deno.writeTextFile(join(codexHome, "auth.json"), JSON.stringify({ OPENAI_API_KEY: "sk-doctor" }));
    // No keychain: whether this machine has one is not what this test is about.
    const args = [
      ...["--root", root, "--codex", codexBinary(CURRENT_CODEX), "--port", "0", "--state-dir", join(home, "s")],
      "--no-keychain",
    ];
    const lines: string[] = [];
    const passing = await runDoctor(args, (name) => vars[name], (line) => lines.push(line));
    assert.equal(passing, 0, lines.join("\n"));
    // A warning (here: ask_chatgpt not registered) does not fail the run.
    assert.match(lines.at(-1)!, /^\d+ ok, 1 warn, 0 fail$/, lines.join("\n"));
    assert.ok(lines.slice(0, -1).every((line) => /^(ok {4}|warn {2})\S/.test(line)), lines.join("\n"));

    const json: string[] = [];
    const failing = await runDoctor(
      [...args, "--root", join(root, "gone"), "--json"],
      (name) => vars[name],
      (line) => json.push(line),
    );
    assert.equal(failing, 1);
    const report = JSON.parse(json.join("\n"));
    assert.ok(report.summary.fail >= 1);
    assert.ok(report.checks.some((check: CheckResult) => check.status === "fail" && check.fix));

    const config: string[] = [];
    assert.equal(await runDoctor([], (name) => vars[name], (line) => config.push(line)), 1);
    assert.match(config[0], /^fail {2}configuration: No root given/);
  });
});

Deno.test("codex-gpt-bridge doctor runs from the launcher and prints one line per check", async () => {
  await withPlace(async ({ home, root }) => {
    const { code, stdout } = await new Deno.Command(join(PROJECT_DIR, "codex-gpt-bridge"), {
      args: ["doctor", "--root", root, "--codex", "/nonexistent/codex", "--port", "0"],
      clearEnv: true,
      env: { HOME: home, PATH: Deno.env.get("PATH")! },
      stdin: "null",
    }).output();
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    assert.equal(code, 1, lines.join("\n"));
    assert.match(lines[0], /^fail {2}codex: Codex CLI not found/);
    assert.ok(lines.some((line) => /^ok {4}root /.test(line)), lines.join("\n"));
  });
});

Deno.test("doctor checks the chatgpt registration in Codex's config, and fails a config Codex cannot read", async () => {
  await withPlace(async ({ home, codexHome }) => {
    const vars = { HOME: home, CODEX_HOME: codexHome, PATH: Deno.env.get("PATH")! };
    const file = join(codexHome, "config.toml");
    const [missing] = await run(checkCodexConfig, ["--root", "/"], vars);
    assert.equal(missing.status, "warn");
    assert.match(missing.fix ?? "", /setup codex/);
    const program = { standalone: false, execPath: Deno.execPath(), projectDir: PROJECT_DIR };
    await setupCodex({ remove: false, codexHome }, program);
    const registered = await run(checkCodexConfig, ["--root", "/"], vars);
    // Registered and working; and the bridge's own turns would start it too, outside their confinement.
    assert.deepEqual(registered.map((r) => [r.name, r.status]), [["codex mcp servers", "warn"], ["ask_chatgpt", "ok"]]);
    assert.match(registered[0].detail, /start chatgpt from .*outside the turn's confinement/);

    await Deno.writeTextFile(
      file,
      '[mcp_servers.chatgpt]\ncommand = "./gone"\nrequired = true\n\n[mcp_servers.chatgpt.env]\nOPENAI_API_KEY = "sk-x"\n',
    );
    const broken = await run(checkCodexConfig, ["--root", "/"], vars);
    assert.deepEqual(broken.map((r) => [r.name, r.status]), [
      ["codex mcp servers", "warn"],
      ["ask_chatgpt", "fail"],
      ["ask_chatgpt secrets", "warn"],
    ]);
    assert.doesNotMatch(JSON.stringify(broken), /sk-x/);

    await Deno.writeTextFile(file, 'model = "a"\nmodel = "b"\n');
    const [unreadable] = await run(checkCodexConfig, ["--root", "/"], vars);
    assert.deepEqual([unreadable.name, unreadable.status], ["codex config", "fail"]);
    assert.match(unreadable.detail, /line 2/);
  });
});
