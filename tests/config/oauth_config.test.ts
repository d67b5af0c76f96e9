import assert from "node:assert/strict";
import { CHATGPT_REDIRECT_PATTERNS, parseServeConfig } from "../../src/config/serve_config.ts";
import { parseOAuthCliConfig } from "../../src/config/oauth_cli_config.ts";
import { ConfigError } from "../../src/errors.ts";

const env = (vars: Record<string, string> = {}) => (name: string) => ({ HOME: "/home/owner", ...vars })[name];

function refuses(args: string[], vars: Record<string, string>, pattern: RegExp) {
  assert.throws(() => parseServeConfig(["--root", "/a", ...args], env(vars)), (error) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("--auth oauth with a public URL gives the issuer, the resource, the redirect patterns and the allowed host", () => {
  const config = parseServeConfig(
    [
      "--root",
      "/a",
      "--auth",
      "oauth",
      "--public-url",
      "https://Abc.ngrok.app/",
      "--oauth-redirect",
      "http://127.0.0.1:*/cb",
    ],
    env(),
  );
  assert.deepEqual(config.auth, {
    kind: "oauth",
    issuer: "https://abc.ngrok.app",
    resource: "https://abc.ngrok.app/mcp",
    extraResources: [],
    redirectPatterns: [...CHATGPT_REDIRECT_PATTERNS, "http://127.0.0.1:*/cb"],
  });
  assert.ok(config.allowedHosts.includes("abc.ngrok.app"));
  const fromEnv = parseServeConfig(
    ["--root", "/a"],
    env({
      CODEX_GPT_BRIDGE_AUTH: "oauth",
      CODEX_GPT_BRIDGE_PUBLIC_URL: "https://x.example/mcp",
      CODEX_GPT_BRIDGE_OAUTH_EXTRA_RESOURCES: "https://a.example/mcp,https://b.example:8443/mcp",
    }),
  );
  assert.equal(fromEnv.auth.kind === "oauth" && fromEnv.auth.resource, "https://x.example/mcp");
  assert.deepEqual(fromEnv.auth.kind === "oauth" && fromEnv.auth.extraResources, [
    "https://a.example/mcp",
    "https://b.example:8443/mcp",
  ]);
});

Deno.test("--auth keeps --token and --no-auth meaning what they did and refuses contradictions", () => {
  assert.equal(parseServeConfig(["--root", "/a"], env()).auth.kind, "token");
  assert.equal(parseServeConfig(["--root", "/a", "--auth", "bearer"], env()).auth.kind, "token");
  assert.equal(parseServeConfig(["--root", "/a", "--auth", "none"], env()).auth.kind, "none");
  refuses(["--auth", "oauth", "--public-url", "https://x.example", "--token", "0123456789abcdef0123"], {}, /--token/);
  refuses(["--auth", "oauth", "--public-url", "https://x.example", "--no-auth"], {}, /choose one/);
  refuses(["--auth", "none", "--host", "0.0.0.0"], {}, /Refusing --no-auth on the non-loopback/);
  refuses(["--auth", "basic"], {}, /^Invalid --auth: "basic" \(expected bearer, oauth or none\)$/);
});

Deno.test("--auth oauth needs an https public URL (http only for loopback), origin only", () => {
  refuses(["--auth", "oauth"], {}, /--auth oauth needs --public-url/);
  refuses(["--auth", "oauth", "--public-url", "http://abc.ngrok.app"], {}, /--public-url: .*expected https/);
  refuses(["--auth", "oauth", "--public-url", "https://abc.ngrok.app/bridge"], {}, /origin only/);
  refuses(["--auth", "oauth", "--public-url", "https://u:p@abc.ngrok.app"], {}, /user name/);
  refuses(["--auth", "oauth", "--public-url", "abc.ngrok.app"], {}, /expected an absolute URL/);
  refuses(
    ["--auth", "oauth", "--public-url", "https://x.example", "--oauth-redirect", "http://evil.example/cb"],
    {},
    /--oauth-redirect/,
  );
  refuses(
    ["--auth", "oauth", "--public-url", "https://x.example", "--oauth-extra-resource", "https://x/#f"],
    {},
    /fragment/,
  );
  const local = parseServeConfig(["--root", "/a", "--auth", "oauth", "--public-url", "http://127.0.0.1:9000"], env());
  assert.equal(local.auth.kind === "oauth" && local.auth.issuer, "http://127.0.0.1:9000");
});

Deno.test("parseOAuthCliConfig() reads list, revoke ID and revoke --all and refuses anything else", () => {
  assert.deepEqual(parseOAuthCliConfig(["list", "--state-dir", "/s"], env()), {
    action: { kind: "list" },
    stateDir: "/s",
  });
  assert.deepEqual(parseOAuthCliConfig(["revoke", "g_abc"], env()).action, { kind: "revoke", id: "g_abc" });
  assert.deepEqual(parseOAuthCliConfig(["revoke", "--all"], env()).action, { kind: "revoke-all" });
  assert.equal(parseOAuthCliConfig(["list"], env()).stateDir, "/home/owner/.local/state/codex-gpt-bridge");
  for (const args of [[], ["revoke"], ["list", "--all"], ["revoke", "g_a", "--all"], ["revoke", "../x"], ["drop"]]) {
    assert.throws(() => parseOAuthCliConfig(args, env()), /Invalid oauth command .*use codex-gpt-bridge oauth list/);
  }
});
