import assert from "node:assert/strict";
import { parseServeConfig } from "../../src/config/serve_config.ts";
import { oauthCliPermissionFlags } from "../../src/permissions/permission_flags.ts";
import { planOAuthCliLaunch, planServeLaunch } from "../../src/permissions/relaunch.ts";

const env = (name: string) => ({ HOME: "/home/owner", PATH: "/usr/bin" } as Record<string, string>)[name];

async function netFlag(args: string[]): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "oauth-perm-" });
  try {
    const config = parseServeConfig(["--root", root, "--port", "8765", "--state-dir", root, ...args], env);
    const { flags } = await planServeLaunch(config, env);
    return flags.find((flag) => flag.startsWith("--allow-net="))!;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("in OAuth mode the serving process may also reach the metadata document hosts, and only them", async () => {
  assert.equal(
    await netFlag([
      "--auth",
      "oauth",
      "--public-url",
      "https://abc.ngrok.app",
      "--oauth-redirect",
      "http://127.0.0.1:*/cb",
    ]),
    "--allow-net=127.0.0.1:8765,chatgpt.com:443",
  );
  assert.equal(
    await netFlag([
      "--auth",
      "oauth",
      "--public-url",
      "https://abc.ngrok.app",
      "--oauth-redirect",
      "https://client.example:8443/cb",
      "--oauth-redirect",
      "https://*.evil.example/cb",
    ]),
    "--allow-net=127.0.0.1:8765,chatgpt.com:443,client.example:8443",
  );
  // Bearer mode: listening only, as before.
  assert.equal(await netFlag([]), "--allow-net=127.0.0.1:8765");
});

Deno.test("the oauth command runs with read and write of the state folder only", async () => {
  assert.deepEqual(oauthCliPermissionFlags({ stateDir: "/s", env: ["CODEX_GPT_BRIDGE_STATE_DIR", "HOME"] }), [
    "--no-prompt",
    "--allow-read=/s",
    "--allow-write=/s",
    "--allow-env=CODEX_GPT_BRIDGE_STATE_DIR,HOME",
  ]);
  const launch = await planOAuthCliLaunch("/nonexistent/state");
  assert.deepEqual(launch.pinnedArgs, ["--state-dir", "/nonexistent/state"]);
  assert.ok(!launch.flags.some((flag) => /^--allow-(run|net|ffi|sys)/.test(flag)));
});
