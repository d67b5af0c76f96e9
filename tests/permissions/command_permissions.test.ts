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
    const probe = `
      const results = {};
      const attempt = async (name, fn) => { try { await fn(); results[name] = "ok"; } catch (e) { results[name] = e.name; } };
      await attempt("mkdir unit folder", () => Deno.mkdir(${JSON.stringify(unitDir)}, { recursive: true }));
      await attempt("write unit", () => Deno.writeTextFile(${JSON.stringify(join(unitDir, "x.service"))}, "x"));
      await attempt("write home", () => Deno.writeTextFile(${JSON.stringify(join(home, ".bashrc"))}, "x"));
      await attempt("run systemctl", () => new Deno.Command(${
      JSON.stringify(join(fake.bin, "systemctl"))
    }, { args: ["--user", "daemon-reload"] }).output());
      await attempt("run sh", () => new Deno.Command("/bin/sh", { args: ["-c", "true"] }).output());
      console.log(JSON.stringify(results));`;
    // Outside every folder the set may write: the probe itself is only read.
    const probeFile = join(fake.bin, "..", "probe.js");
    await Deno.writeTextFile(probeFile, probe);
    const { stdout, code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...launch.flags, probeFile],
      stdout: "piped",
    }).output();
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
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
    const probe = `
      const results = {};
      const attempt = async (name, fn) => { try { await fn(); results[name] = "ok"; } catch (e) { results[name] = e.name; } };
      await attempt("run secret-tool", () => new Deno.Command(${
      JSON.stringify(tool)
    }, { args: ["clear", "service", "codex-gpt-bridge", "name", "x"] }).output());
      await attempt("run sh", () => new Deno.Command("/bin/sh", { args: ["-c", "true"] }).output());
      await attempt("read /etc/hostname", () => Deno.readTextFile("/etc/hostname"));
      await attempt("write /var/tmp", () => Deno.writeTextFile("/var/tmp/secret-probe-never", "x"));
      await attempt("read HOME", () => Deno.env.get("HOME"));
      console.log(JSON.stringify(results));`;
    const probeFile = join(fake.bin, "..", "probe.js");
    await Deno.writeTextFile(probeFile, probe);
    const { stdout, code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...launch.flags, probeFile],
      stdout: "piped",
    }).output();
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
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
