/**
 * The login service's files: the systemd unit and the LaunchAgent plist
 * against golden files, the unit through `systemd-analyze verify`, the plist
 * through a strict reader of the plist DTD's shape; and the serve flags a
 * service gets (validated, absolute, never a secret).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { renderSystemdUnit, systemdWord } from "../../src/login_service/systemd_unit.ts";
import { renderLaunchAgent } from "../../src/login_service/launch_agent.ts";
import { serviceArgs } from "../../src/login_service/service_args.ts";
import type { ServiceSpec } from "../../src/login_service/service_spec.ts";
import { ConfigError } from "../../src/errors.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";
import { parsePlist } from "../fixtures/plist_check.ts";

const GOLDEN = join(PROJECT_DIR, "tests", "cli", "golden");
// A root with every character that needs care: spaces, %, $, quotes, backslash, XML's specials.
const AWKWARD_ROOT = `/home/owner/My Code/100% $HOME "q" 'a' back\\slash & <x>`;
const SPEC: ServiceSpec = {
  program: "/opt/codex-gpt-bridge/codex-gpt-bridge",
  args: [
    "serve",
    "--root",
    "/home/owner/code/app",
    "--root",
    AWKWARD_ROOT,
    "--allow-write",
    "--secret-pattern",
    "*.key",
  ],
  path: "/home/owner/.deno/bin:/usr/local/bin:/usr/bin:/bin",
  home: "/home/owner",
};

async function golden(name: string, actual: string) {
  const file = join(GOLDEN, name);
  // Regenerate after a deliberate change: UPDATE_GOLDEN=1 deno test --allow-all tests/cli/service_files.test.ts
  if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(file, actual);
  assert.equal(actual, await Deno.readTextFile(file), `${name} differs from its golden file`);
}

Deno.test("the systemd unit matches its golden file", async () => {
  await golden("codex-gpt-bridge.service", renderSystemdUnit(SPEC));
});

Deno.test("the LaunchAgent plist matches its golden file", async () => {
  await golden("codex-gpt-bridge.plist", renderLaunchAgent(SPEC));
});

Deno.test("systemdWord() leaves plain words alone and quotes and escapes the rest", () => {
  assert.equal(systemdWord("/usr/bin/codex"), "/usr/bin/codex");
  assert.equal(systemdWord("--root"), "--root");
  assert.equal(systemdWord("a b"), '"a b"');
  assert.equal(systemdWord("100%"), "100%%");
  assert.equal(systemdWord("50% off"), '"50%% off"');
  assert.equal(systemdWord("$HOME"), '"$$HOME"');
  assert.equal(systemdWord('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
  assert.equal(systemdWord(";"), "\\;");
  assert.throws(() => systemdWord("line\nbreak"), /control character/);
});

Deno.test("the unit passes systemd-analyze verify, which does catch a broken one", async () => {
  const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  assert.ok(analyze, "systemd-analyze is missing: install Debian's systemd package (apt-get install -y systemd)");
  const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "unit-verify-" });
  const verify = async (text: string) => {
    const file = join(dir, "codex-gpt-bridge.service");
    await Deno.writeTextFile(file, text);
    const { code, stderr } = await new Deno.Command(analyze, {
      args: ["verify", file],
      stdout: "null",
      stderr: "piped",
    })
      .output();
    return { code, stderr: new TextDecoder().decode(stderr) };
  };
  try {
    // verify checks that ExecStart's program exists and is executable: the real launcher.
    const real = await verify(renderSystemdUnit({ ...SPEC, program: join(PROJECT_DIR, "codex-gpt-bridge") }));
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stderr.trim(), "", "no warning either");
    const missing = await verify(renderSystemdUnit({ ...SPEC, program: join(dir, "no-such-program") }));
    assert.notEqual(missing.code, 0, "a missing program fails verification");
    assert.match(missing.stderr, /is not executable/);
    const unbalanced = await verify(renderSystemdUnit(SPEC).replace(/ExecStart=.*/, 'ExecStart=/bin/true "open'));
    assert.notEqual(unbalanced.code, 0, "bad quoting fails verification");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the plist has the DTD's shape and carries every argument exactly", () => {
  const plist = parsePlist(renderLaunchAgent(SPEC)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(plist), [
    "Label",
    "ProgramArguments",
    "EnvironmentVariables",
    "WorkingDirectory",
    "RunAtLoad",
    "KeepAlive",
    "ThrottleInterval",
    "StandardOutPath",
    "StandardErrorPath",
  ]);
  assert.equal(plist.Label, "codex-gpt-bridge");
  assert.deepEqual(plist.ProgramArguments, [SPEC.program, ...SPEC.args], "the awkward root survives");
  assert.deepEqual(plist.EnvironmentVariables, { PATH: SPEC.path });
  assert.equal(plist.WorkingDirectory, "/home/owner");
  assert.equal(plist.RunAtLoad, true);
  assert.deepEqual(plist.KeepAlive, { SuccessfulExit: false });
  assert.equal(plist.ThrottleInterval, 10);
  assert.equal(plist.StandardOutPath, "/home/owner/Library/Logs/codex-gpt-bridge/serve.log");
  assert.equal(plist.StandardErrorPath, "/home/owner/Library/Logs/codex-gpt-bridge/serve.err.log");
});

Deno.test("the plist reader refuses what the DTD does not allow", () => {
  const good = renderLaunchAgent(SPEC);
  assert.ok(parsePlist(good), "control: the real plist parses");
  const broken: [string, string][] = [
    ["a bare ampersand", good.replace("&amp;", "&")],
    ["a key without a value", good.replace("<key>RunAtLoad</key>\n\t<true/>", "<key>RunAtLoad</key>")],
    ["a duplicate key", good.replace("<key>RunAtLoad</key>", "<key>Label</key>")],
    ["an unknown element", good.replace("<true/>", "<yes/>")],
    ["a non-integer", good.replace("<integer>10</integer>", "<integer>ten</integer>")],
    ["an unclosed array", good.replace("\t</array>\n", "")],
    ["no DOCTYPE", good.replace(/<!DOCTYPE[^>]*>\n/, "")],
    ["text after the root", `${good}<extra/>`],
  ];
  for (const [what, text] of broken) assert.throws(() => parsePlist(text), /^Error: plist: /, what);
});

const context = (cwd: string, vars: Record<string, string> = {}) => ({
  cwd,
  env: (name: string) => ({ HOME: "/home/owner", PATH: "/usr/bin:/bin", ...vars })[name],
});

Deno.test("serviceArgs() validates with the serve parser and makes paths absolute", async () => {
  const cwd = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "svc-args-" });
  try {
    await Deno.mkdir(join(cwd, "app"));
    assert.deepEqual(
      serviceArgs(["--root", "app", "--state-dir", "state", "--allow-write", "--port", "9000"], context(cwd)),
      ["serve", "--root", join(cwd, "app"), "--port", "9000", "--allow-write", "--state-dir", join(cwd, "state")],
    );
    assert.throws(() => serviceArgs(["--root", "app", "--port", "http"], context(cwd)), /^ConfigError: Invalid --port/);
    assert.throws(() => serviceArgs(["--root", "nowhere"], context(cwd)), /Invalid --root: "nowhere" cannot be used/);
    assert.throws(() => serviceArgs(["--root", "app", "--bogus"], context(cwd)), /Unknown option '--bogus'/);
    // The shell's variables are not the service's: a root only in the environment does not count.
    assert.throws(
      () => serviceArgs([], context(cwd, { CODEX_GPT_BRIDGE_ROOTS: join(cwd, "app") })),
      /No root given/,
    );
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("serviceArgs() refuses --token, pointing at the keychain, and accepts the same flags without it", async () => {
  const cwd = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "svc-args-" });
  try {
    for (const args of [["--root", cwd, "--token", "a-secret-token-0123456789"], [`--root=${cwd}`, "--token=x"]]) {
      assert.throws(() => serviceArgs(args, context(cwd)), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /Refusing --token for service install: .* secret set codex-gpt-bridge:token/);
        assert.doesNotMatch(error.message, /a-secret-token/);
        return true;
      });
    }
    assert.deepEqual(serviceArgs(["--root", cwd], context(cwd)), ["serve", "--root", cwd]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
