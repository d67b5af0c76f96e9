/**
 * The tunnel and keychain checks of `doctor`, against the fake control plane
 * written from the public contract and fake keychain tools on PATH.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseServeConfig } from "../../src/config/serve_config.ts";
import type { DoctorContext } from "../../src/doctor/check.ts";
import { checkKeychain, checkTunnel } from "../../src/doctor/tunnel_checks.ts";
import { startFakeControlPlane } from "../fixtures/fake_control_plane.ts";

function context(args: string[], vars: Record<string, string>): DoctorContext {
  const env = (name: string) => ({ HOME: "/nonexistent-doctor-home", ...vars })[name];
  return { config: parseServeConfig(["--root", "/", ...args], env), env, sourceOf: () => undefined };
}

Deno.test("doctor's tunnel check passes a known tunnel with its key and fails a wrong key or id with the fix", async () => {
  const plane = startFakeControlPlane();
  try {
    const base = ["--tunnel-id", plane.tunnelId, "--control-plane-url", plane.baseUrl];
    const [ok] = await checkTunnel(context(base, { CONTROL_PLANE_API_KEY: plane.apiKey }));
    assert.equal(ok.status, "ok", ok.detail);
    assert.match(ok.detail, /\("Test tunnel"\) found, key accepted/);

    const [badKey] = await checkTunnel(context(base, { CONTROL_PLANE_API_KEY: "sk-wrong" }));
    assert.equal(badKey.status, "fail");
    assert.match(badKey.detail, /refused the API key \(HTTP 401\)/);
    assert.match(badKey.fix!, /secret set codex-gpt-bridge:control-plane-api-key/);
    assert.ok(!JSON.stringify(badKey).includes("sk-wrong"), "the key is never shown");

    const otherId = `tunnel_${"9".repeat(32)}`;
    const [badId] = await checkTunnel(
      context(["--tunnel-id", otherId, "--control-plane-url", plane.baseUrl], { CONTROL_PLANE_API_KEY: plane.apiKey }),
    );
    assert.equal(badId.status, "fail");
    assert.match(badId.detail, new RegExp(`does not know ${otherId}`));
    // The fake notes exactly the two provoked mistakes, nothing about the headers doctor sends.
    assert.deepEqual(plane.violations, ["GET {id}: wrong Authorization", `unexpected GET /v1/tunnels/${otherId}`]);
  } finally {
    await plane.close();
  }
});

Deno.test("doctor's tunnel check fails an unreachable control plane and says off without a tunnel", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // Nothing listens there now.
  const id = `tunnel_${"a".repeat(32)}`;
  const [down] = await checkTunnel(
    context(["--tunnel-id", id, "--control-plane-url", `http://127.0.0.1:${port}`], { CONTROL_PLANE_API_KEY: "k" }),
  );
  assert.equal(down.status, "fail");
  assert.match(down.detail, /cannot be reached/);
  const [off] = await checkTunnel(context([], {}));
  assert.deepEqual([off.status, off.detail], ["ok", "off (no --tunnel-id)"]);
});

Deno.test("doctor's keychain check finds the tool on PATH, warns without it, and respects --no-keychain", async () => {
  const bin = await Deno.makeTempDir({ prefix: "doctor-keychain-" });
  try {
    const tool = Deno.build.os === "darwin" ? "security" : "secret-tool";
    await Deno.writeTextFile(join(bin, tool), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const [found] = await checkKeychain(context([], { PATH: bin }));
    assert.equal(found.status, "ok", found.detail);
    const [missing] = await checkKeychain(context([], { PATH: "/nonexistent" }));
    assert.equal(missing.status, "warn");
    assert.ok(missing.fix);
    const [off] = await checkKeychain(context(["--no-keychain"], { PATH: "/nonexistent" }));
    assert.equal(off.status, "ok");
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
