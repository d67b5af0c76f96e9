import assert from "node:assert/strict";
import { isLoopbackHost, parseServeConfig } from "../../src/config/serve_config.ts";
import { ConfigError } from "../../src/errors.ts";

const env = (vars: Record<string, string> = {}) => (name: string) => ({ HOME: "/home/owner", ...vars })[name];

function refuses(args: string[], vars: Record<string, string>, pattern: RegExp) {
  assert.throws(() => parseServeConfig(args, env(vars)), (error) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("parseServeConfig() applies the documented defaults", () => {
  const config = parseServeConfig(["--root", "/src"], env());
  assert.deepEqual(config.roots, ["/src"]);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 8765);
  assert.equal(config.allowWrite, false);
  assert.equal(config.approvalPolicy, "never");
  assert.equal(config.fastReturnMs, 25000);
  assert.equal(config.timeoutMs, 1800000);
  assert.equal(config.maxJobs, 4);
  assert.equal(config.secretScan, true);
  assert.equal(config.codexPath, "codex");
  assert.equal(config.upstream, "auto");
  assert.deepEqual(config.allowedHosts, []);
  assert.equal(config.auth.kind, "token");
  assert.ok(config.auth.kind === "token" && config.auth.generated && config.auth.token.length >= 40);
  assert.equal(config.stateDir, "/home/owner/.local/state/codex-gpt-bridge");
  assert.ok(Object.isFrozen(config));
});

Deno.test("parseServeConfig() finds the state folder from the flag, the variable or the XDG default", () => {
  assert.equal(parseServeConfig(["--root", "/a", "--state-dir", "/s"], env()).stateDir, "/s");
  assert.equal(parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_STATE_DIR: "/v" })).stateDir, "/v");
  assert.equal(
    parseServeConfig(["--root", "/a"], env({ XDG_STATE_HOME: "/x/state" })).stateDir,
    "/x/state/codex-gpt-bridge",
  );
  // A relative XDG_STATE_HOME is ignored, as the XDG spec says.
  assert.equal(
    parseServeConfig(["--root", "/a"], env({ XDG_STATE_HOME: "rel" })).stateDir,
    "/home/owner/.local/state/codex-gpt-bridge",
  );
  refuses(["--root", "/a"], { HOME: "" }, /No state folder: HOME is not set/);
});

Deno.test("parseServeConfig() lets a flag win over its environment variable", () => {
  const config = parseServeConfig(["--root", "/a", "--port", "9000"], env({ CODEX_GPT_BRIDGE_PORT: "9100" }));
  assert.equal(config.port, 9000);
  assert.equal(parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_PORT: "9100" })).port, 9100);
});

Deno.test("parseServeConfig() reads every variable", () => {
  const config = parseServeConfig(
    [],
    env({
      CODEX_GPT_BRIDGE_ROOTS: "/a,/b",
      CODEX_GPT_BRIDGE_ROOT: "/c",
      CODEX_GPT_BRIDGE_HOST: "localhost",
      CODEX_GPT_BRIDGE_PORT: "0",
      CODEX_GPT_BRIDGE_TOKEN: "0123456789abcdef0123",
      CODEX_GPT_BRIDGE_ALLOWED_HOSTS: "abc.ngrok.app,Tunnel.Example.com",
      CODEX_GPT_BRIDGE_ALLOW_WRITE: "1",
      CODEX_GPT_BRIDGE_APPROVAL_POLICY: "on-request",
      CODEX_GPT_BRIDGE_FAST_RETURN_MS: "100",
      CODEX_GPT_BRIDGE_TIMEOUT_MS: "5000",
      CODEX_GPT_BRIDGE_MAX_JOBS: "2",
      CODEX_GPT_BRIDGE_DISABLE_SECRET_SCAN: "true",
      CODEX_GPT_BRIDGE_CODEX: "/opt/codex",
      CODEX_GPT_BRIDGE_UPSTREAM: "mcp-server",
      CODEX_GPT_BRIDGE_LOG_LEVEL: "debug",
    }),
  );
  assert.deepEqual(config.roots, ["/a", "/b", "/c"]);
  assert.equal(config.host, "localhost");
  assert.equal(config.port, 0);
  assert.deepEqual(config.auth, { kind: "token", token: "0123456789abcdef0123", generated: false });
  assert.deepEqual(config.allowedHosts, ["abc.ngrok.app", "tunnel.example.com"]);
  assert.equal(config.allowWrite, true);
  assert.equal(config.approvalPolicy, "on-request");
  assert.equal(config.fastReturnMs, 100);
  assert.equal(config.timeoutMs, 5000);
  assert.equal(config.maxJobs, 2);
  assert.equal(config.secretScan, false);
  assert.equal(config.codexPath, "/opt/codex");
  assert.equal(config.upstream, "mcp-server");
  assert.equal(config.logLevel, "debug");
});

Deno.test("parseServeConfig() passes only the allow-listed variables to Codex", () => {
  const config = parseServeConfig(
    ["--root", "/a"],
    env({
      PATH: "/bin",
      HOME: "/home/u",
      CODEX_HOME: "/h",
      OPENAI_API_KEY: "sk-x",
      AWS_SECRET_ACCESS_KEY: "nope",
      CODEX_GPT_BRIDGE_TOKEN: "0123456789abcdef0123",
    }),
  );
  assert.deepEqual(config.codexEnv, { PATH: "/bin", HOME: "/home/u", CODEX_HOME: "/h", OPENAI_API_KEY: "sk-x" });
});

Deno.test("parseServeConfig() refuses to start without a root", () => {
  refuses([], {}, /No root given: pass --root DIR/);
});

Deno.test("parseServeConfig() names the flag or variable and the accepted values", () => {
  refuses(["--root", "/a", "--port", "http"], {}, /^Invalid --port: "http" \(expected an integer from 0 to 65535\)$/);
  refuses(["--root", "/a"], { CODEX_GPT_BRIDGE_PORT: "70000" }, /Invalid CODEX_GPT_BRIDGE_PORT: "70000"/);
  refuses(["--root", "/a", "--approval-policy", "always"], {}, /--approval-policy: "always" \(expected never or/);
  refuses(["--root", "/a", "--upstream", "exec"], {}, /expected auto, app-server or mcp-server/);
  refuses(["--root", "/a"], { CODEX_GPT_BRIDGE_ALLOW_WRITE: "maybe" }, /CODEX_GPT_BRIDGE_ALLOW_WRITE: "maybe"/);
  refuses(["--root", "/a", "--timeout-ms", "-5"], {}, /--timeout-ms/);
  refuses(["--root", "/a", "--allowed-host", "https://evil.com"], {}, /--allowed-host: "https:\/\/evil.com"/);
  refuses(["--root", "/a", "--fast-return-ms", "9000", "--timeout-ms", "5000"], {}, /longer than --timeout-ms/);
  refuses(["--root", "/a", "--max-jobs", "0"], {}, /--max-jobs/);
  refuses(["--root", "/a", "--frobnicate"], {}, /Unknown option '--frobnicate'/);
  refuses(["--root", "/a", "stray"], {}, /Unexpected argument 'stray'/);
});

Deno.test("parseServeConfig() never echoes a rejected token", () => {
  assert.throws(() => parseServeConfig(["--root", "/a", "--token", "tiny secret"], env()), (error: Error) => {
    assert.doesNotMatch(error.message, /tiny/);
    assert.match(error.message, /--token/);
    return true;
  });
});

Deno.test("parseServeConfig() refuses no-auth on a non-loopback address and with a token", () => {
  refuses(["--root", "/a", "--no-auth", "--host", "0.0.0.0"], {}, /Refusing --no-auth on the non-loopback/);
  refuses(["--root", "/a", "--no-auth", "--token", "0123456789abcdef0123"], {}, /choose one/);
  assert.deepEqual(parseServeConfig(["--root", "/a", "--no-auth"], env()).auth, { kind: "none" });
});

Deno.test("isLoopbackHost() recognises loopback names only", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "LOCALHOST"]) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ["0.0.0.0", "::", "192.168.1.2", "localhost.evil.com", "128.0.0.1"]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

Deno.test("parseServeConfig() reads the confinement options from flags and variables", () => {
  const config = parseServeConfig(
    ["--root", "/a", "--codex-read-path", "/opt/tools", "--secret-pattern", "*.secret", "--allow-unconfined-codex"],
    env({ CODEX_GPT_BRIDGE_SECRET_PATTERNS: "ignored.txt" }),
  );
  assert.deepEqual(config.codexReadPaths, ["/opt/tools"]);
  assert.deepEqual(config.secretPatterns, ["*.secret"]);
  assert.equal(config.allowUnconfinedCodex, true);
  const fromEnv = parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_SECRET_PATTERNS: "a.key,config/prod/**" }));
  assert.deepEqual(fromEnv.secretPatterns, ["a.key", "config/prod/**"]);
  const defaults = parseServeConfig(["--root", "/a"], env());
  assert.deepEqual([defaults.codexReadPaths, defaults.secretPatterns, defaults.allowUnconfinedCodex], [[], [], false]);
});

Deno.test("parseServeConfig() refuses a bad secret pattern, naming it", () => {
  refuses(["--root", "/a", "--secret-pattern", ""], {}, /--secret-pattern/);
});

Deno.test("parseServeConfig() reads --rotate-token and refuses it beside a given token or --no-auth", () => {
  assert.equal(parseServeConfig(["--root", "/a"], env()).rotateToken, false);
  assert.equal(parseServeConfig(["--root", "/a", "--rotate-token"], env()).rotateToken, true);
  assert.equal(parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_ROTATE_TOKEN: "1" })).rotateToken, true);
  refuses(["--root", "/a", "--rotate-token", "--token", "0123456789abcdef0123"], {}, /cannot go with --token/);
  refuses(["--root", "/a", "--rotate-token", "--no-auth"], {}, /cannot go with --no-auth/);
});

const TUNNEL_ID = `tunnel_${"0a".repeat(16)}`;

Deno.test("parseServeConfig() sets up a tunnel from --tunnel-id and the key from CONTROL_PLANE_API_KEY only", () => {
  assert.equal(parseServeConfig(["--root", "/src"], env({ CONTROL_PLANE_API_KEY: "sk-x" })).tunnel, undefined);
  const config = parseServeConfig(["--root", "/src", "--tunnel-id", TUNNEL_ID], env({ CONTROL_PLANE_API_KEY: "sk-x" }));
  assert.deepEqual(config.tunnel, { id: TUNNEL_ID, controlPlaneUrl: "https://api.openai.com", apiKey: "sk-x" });
  assert.ok(Object.isFrozen(config.tunnel));
  assert.equal(config.codexEnv.CONTROL_PLANE_API_KEY, undefined, "Codex never sees the tunnel key");
  const fromEnv = parseServeConfig(
    ["--root", "/src"],
    env({
      CONTROL_PLANE_TUNNEL_ID: TUNNEL_ID,
      CONTROL_PLANE_API_KEY: "sk-y",
      CONTROL_PLANE_BASE_URL: "http://127.0.0.1:9100",
    }),
  );
  assert.deepEqual(fromEnv.tunnel, { id: TUNNEL_ID, controlPlaneUrl: "http://127.0.0.1:9100", apiKey: "sk-y" });
  // There is no flag for the key: it would show in process lists.
  refuses(["--root", "/src", "--control-plane-api-key", "sk-x"], {}, /control-plane-api-key/);
});

Deno.test("parseServeConfig() refuses a bad tunnel id, a missing key and a plain-http remote control plane", () => {
  const key = { CONTROL_PLANE_API_KEY: "sk-secret-value" };
  refuses(["--root", "/s", "--tunnel-id", "tunnel_123"], key, /--tunnel-id.*"tunnel_123".*32 lowercase/);
  refuses(["--root", "/s", "--tunnel-id", TUNNEL_ID.toUpperCase()], key, /--tunnel-id/);
  refuses(["--root", "/s", "--tunnel-id", TUNNEL_ID], {}, /CONTROL_PLANE_API_KEY is not/);
  refuses(["--root", "/s", "--tunnel-id", TUNNEL_ID, "--control-plane-url", "http://api.openai.com"], key, /https/);
  refuses(["--root", "/s", "--tunnel-id", TUNNEL_ID, "--control-plane-url", "https://x.test/v1"], key, /origin only/);
  refuses(["--root", "/s", "--tunnel-id", TUNNEL_ID, "--control-plane-url", "nope"], key, /expected a URL/);
  assert.throws(
    () => parseServeConfig(["--root", "/s", "--tunnel-id", TUNNEL_ID], env({ CONTROL_PLANE_API_KEY: "sk x" })),
    (error: Error) => !error.message.includes("sk x") && /hidden/.test(error.message),
  );
  // Positive controls: https anywhere, http on loopback.
  for (const url of ["https://tunnel.example.com:8443", "http://localhost:9000", "http://[::1]:9000"]) {
    const config = parseServeConfig(["--root", "/s", "--tunnel-id", TUNNEL_ID, "--control-plane-url", url], env(key));
    assert.equal(config.tunnel?.controlPlaneUrl, new URL(url).origin);
  }
});

Deno.test("parseServeConfig() takes the keychain switch", () => {
  assert.equal(parseServeConfig(["--root", "/a"], env()).keychain, true);
  assert.equal(parseServeConfig(["--root", "/a", "--no-keychain"], env()).keychain, false);
  assert.equal(parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_NO_KEYCHAIN: "1" })).keychain, false);
});
