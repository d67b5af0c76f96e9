/**
 * `codex-gpt-bridge service install|uninstall|status` in a throw-away HOME:
 * as a real process on Linux (fake `systemctl` first on PATH, or none), and
 * in-process for macOS (fake `launchctl`). Idempotent, never a secret in the
 * file.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { runServiceCommand } from "../../src/cli/service.ts";
import { runCommand } from "../../src/os/run_command.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";
import { createFakeServiceManager } from "../fixtures/fake_service_manager.ts";
import { parsePlist } from "../fixtures/plist_check.ts";

const UNIT = ".config/systemd/user/codex-gpt-bridge.service";
const DENO_DIR = dirname(Deno.execPath());

async function service(args: string[], home: string, path: string, vars: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-all", "main.ts", "service", ...args],
    cwd: PROJECT_DIR,
    clearEnv: true,
    env: { HOME: home, PATH: path, NO_COLOR: "1", ...vars },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
  return { code, out: decode(stdout), err: decode(stderr) };
}

async function scratch() {
  const home = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "svc-home-" });
  const root = join(home, "code", "app");
  await Deno.mkdir(root, { recursive: true });
  return { home, root, remove: () => Deno.remove(home, { recursive: true }) };
}

Deno.test("service install, status and uninstall on Linux are idempotent and drive systemctl --user", async () => {
  const fake = await createFakeServiceManager();
  const { home, root, remove } = await scratch();
  const path = `${fake.bin}:/usr/bin:/bin`;
  try {
    const first = await service(["install", "--root", root, "--allow-write"], home, path);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`^Wrote ${join(home, UNIT)}`));
    const unit = await Deno.readTextFile(join(home, UNIT));
    assert.match(
      unit,
      new RegExp(`^ExecStart=${PROJECT_DIR}codex-gpt-bridge serve --root ${root} --allow-write$`, "m"),
    );
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, new RegExp(`^Environment="PATH=${path}:${DENO_DIR}"$`, "m"), "deno is on the service's PATH");
    assert.deepEqual(await fake.calls(), ["--user daemon-reload", "--user enable --now codex-gpt-bridge.service"]);

    await fake.clear();
    const again = await service(["install", "--root", root, "--allow-write"], home, path);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^Unchanged: /);
    assert.deepEqual(await fake.calls(), ["--user daemon-reload", "--user enable --now codex-gpt-bridge.service"]);

    await fake.clear();
    const changed = await service(["install", "--root", root], home, path);
    assert.match(changed.out, /^Updated /);
    assert.ok((await fake.calls()).includes("--user restart codex-gpt-bridge.service"), "new flags take effect");
    assert.doesNotMatch(await Deno.readTextFile(join(home, UNIT)), /--allow-write/);

    const status = await service(["status"], home, path);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /^Installed: .*codex-gpt-bridge\.service\nExecStart=.* serve --root /);
    assert.match(
      status.out,
      /is-enabled codex-gpt-bridge\.service: enabled\n.*is-active codex-gpt-bridge\.service: active/,
    );

    await fake.clear();
    const gone = await service(["uninstall"], home, path);
    assert.equal(gone.code, 0, gone.err);
    assert.match(gone.out, /^Removed /);
    assert.deepEqual(await fake.calls(), ["--user disable --now codex-gpt-bridge.service", "--user daemon-reload"]);
    await assert.rejects(Deno.stat(join(home, UNIT)), Deno.errors.NotFound);
    const twice = await service(["uninstall"], home, path);
    assert.equal(twice.code, 0);
    assert.match(twice.out, /^Not installed/);
    const none = await service(["status"], home, path);
    assert.equal(none.code, 3);
    assert.match(none.out, /^Not installed/);
  } finally {
    await fake.remove();
    await remove();
  }
});

Deno.test("service install refuses --token and keeps the environment's secrets out of the unit", async () => {
  const fake = await createFakeServiceManager();
  const { home, root, remove } = await scratch();
  const path = `${fake.bin}:/usr/bin:/bin`;
  const secrets = {
    CODEX_GPT_BRIDGE_TOKEN: "env-token-SECRET-0123456789",
    CONTROL_PLANE_API_KEY: "sk-SECRET-tunnel-key",
    OPENAI_API_KEY: "sk-SECRET-openai",
  };
  try {
    const refused = await service(["install", "--root", root, "--token", "flag-token-SECRET-0123456789"], home, path);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /Refusing --token for service install: .* secret set codex-gpt-bridge:token/);
    await assert.rejects(Deno.stat(join(home, UNIT)), Deno.errors.NotFound, "nothing was written");
    assert.deepEqual(await fake.calls(), [], "nothing was started");

    const installed = await service(["install", "--root", root], home, path, secrets);
    assert.equal(installed.code, 0, installed.err);
    const unit = await Deno.readTextFile(join(home, UNIT));
    assert.doesNotMatch(unit, /SECRET/, "a secret from the environment reached the unit");
    assert.equal((await Deno.stat(join(home, UNIT))).mode! & 0o777, 0o644);
  } finally {
    await fake.remove();
    await remove();
  }
});

Deno.test("service install without systemctl writes the unit and says what to run", async () => {
  const { home, root, remove } = await scratch();
  const empty = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "no-tools-" });
  try {
    const result = await service(["install", "--root", root], home, empty);
    assert.equal(result.code, 0, result.err);
    assert.match(
      result.out,
      /systemctl was not found on PATH; .* run: systemctl --user daemon-reload && systemctl --user enable --now codex-gpt-bridge\.service/,
    );
    assert.match(await Deno.readTextFile(join(home, UNIT)), /^ExecStart=/m);
    const bad = await service(["install", "--root", join(home, "missing")], home, empty);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^codex-gpt-bridge: Invalid --root: ".*missing" cannot be used/);
  } finally {
    await Deno.remove(empty, { recursive: true });
    await remove();
  }
});

Deno.test("service on macOS writes a LaunchAgent and loads it with launchctl bootstrap, idempotently", async () => {
  const fake = await createFakeServiceManager();
  const { home, root, remove } = await scratch();
  const out: string[] = [];
  const io = {
    os: "darwin" as const,
    program: "/Applications/codex-gpt-bridge/codex-gpt-bridge",
    denoDir: DENO_DIR,
    cwd: home,
    env: (name: string) => ({ HOME: home, PATH: `${fake.bin}:/usr/bin:/bin` })[name],
    uid: 501,
    run: runCommand,
    out: (line: string) => void out.push(line),
    err: (line: string) => void out.push(`error: ${line}`),
  };
  const plistFile = join(home, "Library", "LaunchAgents", "codex-gpt-bridge.plist");
  try {
    assert.equal(await runServiceCommand(["install", "--root", root], io), 0, out.join("\n"));
    const plist = parsePlist(await Deno.readTextFile(plistFile)) as Record<string, unknown>;
    assert.deepEqual(plist.ProgramArguments, [io.program, "serve", "--root", root]);
    assert.deepEqual(plist.KeepAlive, { SuccessfulExit: false });
    assert.ok((await Deno.stat(join(home, "Library", "Logs", "codex-gpt-bridge"))).isDirectory, "log folder made");
    assert.deepEqual(await fake.calls(), [
      "bootout gui/501/codex-gpt-bridge",
      `bootstrap gui/501 ${plistFile}`,
    ]);
    assert.equal(await runServiceCommand(["install", "--root", root], io), 0);
    assert.match(out.join("\n"), /Unchanged: /);
    out.length = 0;
    assert.equal(await runServiceCommand(["status"], io), 0);
    assert.match(out.join("\n"), /print gui\/501\/codex-gpt-bridge: state = running/);
    await fake.clear();
    assert.equal(await runServiceCommand(["uninstall"], io), 0);
    assert.deepEqual(await fake.calls(), ["bootout gui/501/codex-gpt-bridge"]);
    await assert.rejects(Deno.stat(plistFile), Deno.errors.NotFound);
    assert.equal(await runServiceCommand(["uninstall"], io), 0, "a second uninstall is fine");
  } finally {
    await fake.remove();
    await remove();
  }
});
