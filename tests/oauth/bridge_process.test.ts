import assert from "node:assert/strict";
// Test-only client: a full specifier here keeps it out of the runtime import map.
// deno-lint-ignore no-import-prefix
import * as oauth from "npm:oauth4webapi@3.8.8";
import { pickFreePort } from "../../src/permissions/relaunch.ts";
import { connectClient } from "../fixtures/bridge_client.ts";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { formFields, LOOPBACK_REDIRECT, postConsent } from "../fixtures/oauth_bridge.ts";

const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function oauthCli(stateDir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(`${PROJECT_DIR}codex-gpt-bridge`, {
    args: ["oauth", ...args, "--state-dir", stateDir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test("a real bridge process prints the consent code on stdout, and `oauth list | revoke` acts on it while it runs", async () => {
  const root = await Deno.makeTempDir({ prefix: "oauth-proc-root-" });
  const port = pickFreePort("127.0.0.1");
  const issuer = `http://127.0.0.1:${port}`;
  const bridge = await startBridgeProcess({
    args: [
      "--root",
      root,
      "--port",
      String(port),
      "--codex",
      "/nonexistent/codex",
      "--auth",
      "oauth",
      "--public-url",
      issuer,
      "--oauth-redirect",
      LOOPBACK_REDIRECT,
    ],
  });
  try {
    assert.match(bridge.startLine, /auth: OAuth for http:\/\/127\.0\.0\.1:\d+\/mcp/);
    const as = await oauth.processDiscoveryResponse(
      new URL(issuer),
      await oauth.discoveryRequest(new URL(issuer), { algorithm: "oauth2", ...insecure }),
    );
    const redirectUri = "http://127.0.0.1:9/callback";
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(as, {
        client_name: "Process test client",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
      }, insecure),
    );
    const verifier = oauth.generateRandomCodeVerifier();
    const authorize = new URL(as.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      resource: bridge.url,
    }).toString();
    const page = await fetch(authorize);
    const fields = formFields(await page.text());
    const line = bridge.stdout().split("\n").find((l) => l.includes("consent code: "));
    assert.ok(line, "the consent line is on stdout");
    assert.match(line, /consent code: [A-Z0-9]{4}-[A-Z0-9]{4} for "Process test client" \(answer to 127\.0\.0\.1:9\)/);
    assert.match(
      bridge.stderr(),
      /"msg":"oauth consent requested".*"clientName":"Process test client".*"redirectHost":"127.0.0.1:9"/,
    );
    const code = line.match(/consent code: (\S+)/)![1];
    const answer = await postConsent(authorize, { ...fields, code, action: "approve" });
    const callback = new URL(answer.headers.get("location")!);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        oauth.validateAuthResponse(as, client, callback, oauth.expectNoState),
        redirectUri,
        verifier,
        insecure,
      ),
    );
    const mcp = await connectClient(bridge.url, { token: tokens.access_token });
    await mcp.listTools();
    await mcp.close();

    const listed = await oauthCli(bridge.stateDir, "list");
    assert.equal(listed.code, 0, listed.out);
    const id = listed.out.match(/^(g_\S+)\s+"Process test client"\s+answers to 127\.0\.0\.1:9/m)?.[1];
    assert.ok(id, listed.out);
    const missing = await oauthCli(bridge.stateDir, "revoke", "g_nosuchgrant");
    assert.equal(missing.code, 1);
    const revoked = await oauthCli(bridge.stateDir, "revoke", id);
    assert.equal(revoked.code, 0, revoked.out);
    assert.match(revoked.out, new RegExp(`Revoked ${id}`));
    // The running bridge sees it on the very next request.
    await assert.rejects(connectClient(bridge.url, { token: tokens.access_token }));
    assert.match((await oauthCli(bridge.stateDir, "list")).out, /No OAuth grants/);
    assert.match((await oauthCli(bridge.stateDir, "revoke", "--all")).out, /Revoked 0 grant/);
  } finally {
    await bridge.stop();
    await Deno.remove(root, { recursive: true });
  }
});
