import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "smol-toml";
import { chatgptServerTable, describeSetup, setupCodex } from "../../src/cli/setup_codex.ts";
import { parseSetupCodexConfig } from "../../src/config/setup_codex_config.ts";
import { ConfigError } from "../../src/errors.ts";
import { setupCodexPermissionFlags } from "../../src/permissions/permission_flags.ts";
import { planSetupCodexLaunch } from "../../src/permissions/relaunch.ts";

const PROGRAM = { standalone: false, execPath: "/opt/deno/bin/deno", projectDir: "/src/codex-gpt-bridge" };

async function withCodexHome(fn: (codexHome: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "setup-codex-" });
  try {
    await fn(join(dir, ".codex"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the registration names an absolute launcher, forwards the variables by name and is required", () => {
  const table = chatgptServerTable(PROGRAM);
  assert.equal(table.command, "/src/codex-gpt-bridge/codex-gpt-bridge");
  assert.deepEqual(table.args, ["chatgpt"]);
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_CHATGPT_MODEL", "CODEX_CHATGPT_TIMEOUT_MS"]) {
    assert.ok((table.env_vars as string[]).includes(name), name);
  }
  assert.equal(table.required, true);
  assert.ok((table.startup_timeout_sec as number) >= 20);
  // The launcher finds Deno without PATH; a compiled binary needs no Deno at all.
  assert.deepEqual(table.env, { CODEX_GPT_BRIDGE_DENO: "/opt/deno/bin/deno" });
  const compiled = chatgptServerTable({ ...PROGRAM, standalone: true, execPath: "/usr/local/bin/codex-gpt-bridge" });
  assert.equal(compiled.command, "/usr/local/bin/codex-gpt-bridge");
  assert.equal(compiled.env, undefined);
});

Deno.test("setup codex creates a missing Codex home and an owner-only config.toml", async () => {
  await withCodexHome(async (codexHome) => {
    const result = await setupCodex({ remove: false, codexHome }, PROGRAM);
    assert.equal(result.action, "added");
    const file = join(codexHome, "config.toml");
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    const parsed = parse(await Deno.readTextFile(file)) as { mcp_servers: { chatgpt: { command: string } } };
    assert.equal(parsed.mcp_servers.chatgpt.command, "/src/codex-gpt-bridge/codex-gpt-bridge");
    assert.match(describeSetup(result, PROGRAM).join("\n"), /no value is written/);
  });
});

Deno.test("setup codex keeps an existing file's mode, and reports an unchanged second run", async () => {
  await withCodexHome(async (codexHome) => {
    await Deno.mkdir(codexHome);
    const file = join(codexHome, "config.toml");
    await Deno.writeTextFile(file, "# mine\n", { mode: 0o640 });
    await Deno.chmod(file, 0o640);
    assert.equal((await setupCodex({ remove: false, codexHome }, PROGRAM)).action, "added");
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o640);
    const text = await Deno.readTextFile(file);
    assert.ok(text.startsWith("# mine\n"));
    assert.equal((await setupCodex({ remove: false, codexHome }, PROGRAM)).action, "unchanged");
    assert.equal(
      (await setupCodex({ remove: false, codexHome }, { ...PROGRAM, projectDir: "/moved" })).action,
      "updated",
    );
    assert.equal((await setupCodex({ remove: true, codexHome }, PROGRAM)).action, "removed");
    assert.equal(await Deno.readTextFile(file), "# mine\n");
    assert.equal((await setupCodex({ remove: true, codexHome }, PROGRAM)).action, "absent");
    // No stray temporary file is left beside it.
    const names = [];
    for await (const entry of Deno.readDir(codexHome)) names.push(entry.name);
    assert.deepEqual(names, ["config.toml"]);
  });
});

Deno.test("setup codex leaves a file it cannot parse untouched and says where it fails", async () => {
  await withCodexHome(async (codexHome) => {
    await Deno.mkdir(codexHome);
    const file = join(codexHome, "config.toml");
    const broken = 'model = "o3"\nmodel = "twice"\n';
    await Deno.writeTextFile(file, broken);
    await assert.rejects(
      () => setupCodex({ remove: false, codexHome }, PROGRAM),
      (error) => error instanceof ConfigError && error.message.includes(file) && /line 2/.test(error.message),
    );
    assert.equal(await Deno.readTextFile(file), broken);
  });
});

Deno.test("the Codex home comes from --codex-home, else CODEX_HOME, else ~/.codex", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(parseSetupCodexConfig([], env({ HOME: "/home/me" })).codexHome, "/home/me/.codex");
  assert.equal(parseSetupCodexConfig([], env({ HOME: "/home/me", CODEX_HOME: "/ch" })).codexHome, "/ch");
  const flagged = parseSetupCodexConfig(["--codex-home", "/x", "--remove"], env({ CODEX_HOME: "/ch" }));
  assert.deepEqual({ ...flagged }, { remove: true, codexHome: "/x" });
  assert.throws(() => parseSetupCodexConfig([], env({})), /HOME is not set; pass --codex-home DIR/);
  assert.throws(() => parseSetupCodexConfig(["--force"], env({ HOME: "/h" })), /Unknown option '--force'/);
});

Deno.test("a symlinked config.toml stays a link, and the file it points to gets the table", async () => {
  await withCodexHome(async (codexHome) => {
    const dotfiles = join(codexHome, "..", "dotfiles");
    await Deno.mkdir(dotfiles);
    await Deno.mkdir(codexHome);
    const target = join(dotfiles, "codex.toml");
    await Deno.writeTextFile(target, "# kept\n");
    await Deno.symlink(target, join(codexHome, "config.toml"));
    assert.equal((await setupCodex({ remove: false, codexHome }, PROGRAM)).action, "added");
    assert.ok((await Deno.lstat(join(codexHome, "config.toml"))).isSymlink);
    assert.match(await Deno.readTextFile(target), /^# kept\n\n\[mcp_servers\.chatgpt\]/);
  });
});

Deno.test("setup codex may write Codex's home folder and nothing else", async () => {
  assert.deepEqual(setupCodexPermissionFlags({ codexHome: "/home/me/.codex" }), [
    "--no-prompt",
    "--allow-read=/home/me/.codex",
    "--allow-write=/home/me/.codex",
    "--allow-env=CODEX_HOME,HOME",
  ]);
  await withCodexHome(async (codexHome) => {
    const launch = await planSetupCodexLaunch({ remove: false, codexHome });
    assert.ok(launch.flags.includes(`--allow-write=${codexHome}`), launch.flags.join(" "));
    assert.deepEqual(launch.pinnedArgs, ["--codex-home", codexHome]);
  });
});
