/**
 * The `service` and `secret` commands' own confinement: `service` may write
 * the service file's folders and run the service manager; `secret` may run
 * the keychain tool; nothing else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { secretPermissionFlags, servicePermissionFlags } from "../../src/permissions/permission_flags.ts";
import { planSecretLaunch, planServiceLaunch } from "../../src/permissions/relaunch.ts";
import { createFakeServiceManager } from "../fixtures/fake_service_manager.ts";
import { createFakeKeychain } from "../fixtures/fake_keychain.ts";

/**
 * Runs each attempt (a JavaScript expression) in a process under `flags` and
 * returns "ok" or the error's name per attempt. The probe file lives in
 * `dir`, which the set need not be able to write.
 */
async function probeUnder(flags: string[], dir: string, attempts: Record<string, string>) {
  const lines = Object.entries(attempts).map(([name, expression]) =>
    `try { await (${expression}); results[${JSON.stringify(name)}] = "ok"; } ` +
    `catch (e) { results[${JSON.stringify(name)}] = e.name; }`
  );
  const probeFile = join(dir, "probe.js");
  await Deno.writeTextFile(
    probeFile,
    `const results = {};\n${lines.join("\n")}\nconsole.log(JSON.stringify(results));`,
  );
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...flags, probeFile],
    stdout: "piped",
  }).output();
  assert.equal(code, 0);
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test("servicePermissionFlags() writes only the service folders and runs only the manager", () => {
  assert.deepEqual(
    servicePermissionFlags({ writeDirs: ["/h/.config/systemd/user"], manager: "/usr/bin/systemctl" }),
    [
      "--no-prompt",
      "--allow-read",
      "--allow-write=/h/.config/systemd/user",
      "--allow-run=/usr/bin/systemctl",
      "--allow-env=HOME,PATH,XDG_STATE_HOME",
      "--allow-sys=uid",
    ],
  );
  assert.ok(
    !servicePermissionFlags({ writeDirs: ["/d"], manager: undefined }).some((flag) => flag.startsWith("--allow-run")),
    "no manager, no run permission at all",
  );
});

Deno.test("a process under the service set can write the unit's folder and run systemctl, and nothing else", async () => {
  const home = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "svc-perm-" });
  const fake = await createFakeServiceManager();
  try {
    const launch = planServiceLaunch("linux", (name) => ({ HOME: home, PATH: fake.bin })[name]);
    const unitDir = join(home, ".config", "systemd", "user");
    const systemctl = JSON.stringify(join(fake.bin, "systemctl"));
    const results = await probeUnder(launch.flags, join(fake.bin, ".."), {
      "mkdir unit folder": `Deno.mkdir(${JSON.stringify(unitDir)}, { recursive: true })`,
      "write unit": `Deno.writeTextFile(${JSON.stringify(join(unitDir, "x.service"))}, "x")`,
      "write home": `Deno.writeTextFile(${JSON.stringify(join(home, ".bashrc"))}, "x")`,
      "run systemctl": `new Deno.Command(${systemctl}, { args: ["--user", "daemon-reload"] }).output()`,
      "run sh": `new Deno.Command("/bin/sh", { args: ["-c", "true"] }).output()`,
    });
    assert.deepEqual(results, {
      "mkdir unit folder": "ok",
      "write unit": "ok",
      "write home": "NotCapable",
      "run systemctl": "ok",
      "run sh": "NotCapable",
    });
  } finally {
    await fake.remove();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("secretPermissionFlags() lets the secret command run the keychain tool and read PATH only", () => {
  assert.deepEqual(secretPermissionFlags({ tool: "/usr/bin/secret-tool" }), [
    "--no-prompt",
    "--allow-read=/usr/bin/secret-tool",
    "--allow-run=/usr/bin/secret-tool",
    "--allow-env=PATH",
  ]);
  assert.deepEqual(secretPermissionFlags({ tool: undefined }), ["--no-prompt", "--allow-env=PATH"]);
});

Deno.test("a process under the secret set can run the keychain tool it was planned for, and nothing else", async () => {
  const fake = await createFakeKeychain();
  try {
    const tool = join(fake.bin, "secret-tool");
    const launch = planSecretLaunch("linux", (name) => ({ PATH: `${fake.bin}:/usr/bin:/bin` })[name]);
    assert.ok(launch.flags.includes(`--allow-run=${tool}`), launch.flags.join(" "));
    const results = await probeUnder(launch.flags, join(fake.bin, ".."), {
      "run secret-tool": `new Deno.Command(${
        JSON.stringify(tool)
      }, { args: ["clear", "service", "x", "name", "x"] }).output()`,
      "run sh": `new Deno.Command("/bin/sh", { args: ["-c", "true"] }).output()`,
      "read /etc/hostname": `Deno.readTextFile("/etc/hostname")`,
      "write /var/tmp": `Deno.writeTextFile("/var/tmp/secret-probe-never", "x")`,
      "read HOME": `Deno.env.get("HOME")`,
    });
    assert.deepEqual(results, {
      "run secret-tool": "ok",
      "run sh": "NotCapable",
      "read /etc/hostname": "NotCapable",
      "write /var/tmp": "NotCapable",
      "read HOME": "NotCapable",
    });
  } finally {
    await fake.remove();
  }
});
