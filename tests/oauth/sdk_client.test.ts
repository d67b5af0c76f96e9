import assert from "node:assert/strict";
import {
  auth,
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { approveAsOwner, startOAuthBridge } from "../fixtures/oauth_bridge.ts";

type Stored = Parameters<NonNullable<OAuthClientProvider["saveClientInformation"]>>[0];
type Tokens = Parameters<OAuthClientProvider["saveTokens"]>[0];
type Discovery = Parameters<NonNullable<OAuthClientProvider["saveDiscoveryState"]>>[0];

/** A headless OAuthClientProvider: keeps everything in memory, records where it would send the browser. */
class HeadlessProvider implements OAuthClientProvider {
  info?: Stored;
  stored?: Tokens;
  verifier = "";
  authorizationUrl?: URL;
  discovery?: Discovery;
  readonly redirectUrl = "http://127.0.0.1:9/callback";
  get clientMetadata() {
    return {
      client_name: "MCP SDK test client",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: Stored) {
    this.info = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: Tokens) {
    this.stored = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: Discovery) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

async function connect(url: string, provider: HeadlessProvider) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  const client = new Client({ name: "oauth-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

Deno.test("the MCP SDK client connects through discovery, registration, owner consent, token, refresh and revoke", async () => {
  const oauth = await startOAuthBridge();
  try {
    const provider = new HeadlessProvider();
    const transport = new StreamableHTTPClientTransport(new URL(oauth.url), { authProvider: provider });
    const first = new Client({ name: "oauth-test", version: "1.0.0" });
    await assert.rejects(first.connect(transport), UnauthorizedError);
    assert.ok(provider.info?.client_id, "registered itself");
    assert.ok(provider.authorizationUrl, "was sent to the authorize page");
    assert.equal(provider.authorizationUrl.searchParams.get("resource"), oauth.url);
    assert.equal(provider.authorizationUrl.searchParams.get("code_challenge_method"), "S256");
    assert.equal(oauth.consentLines.length, 0, "no code before the page is opened");

    const callback = await approveAsOwner(oauth, provider.authorizationUrl);
    assert.match(oauth.consentLines[0], /consent code: [A-Z0-9]{4}-[A-Z0-9]{4}/);
    assert.match(oauth.consentLines[0], /MCP SDK test client/);
    assert.equal(callback.searchParams.get("iss"), oauth.issuer);
    await transport.finishAuth(callback.searchParams);
    const firstTokens = provider.stored!;
    assert.ok(firstTokens.access_token && firstTokens.refresh_token);

    const { client } = await connect(oauth.url, provider);
    const status = await client.callTool({ name: "bridge_status", arguments: {} });
    assert.notEqual(status.isError, true);
    assert.equal((status.structuredContent as { auth?: string }).auth, "oauth");
    await client.close();

    // Refresh: the SDK's auth() uses the refresh token it holds; the pair rotates.
    assert.equal(await auth(provider, { serverUrl: oauth.url }), "AUTHORIZED");
    assert.notEqual(provider.stored!.access_token, firstTokens.access_token);
    assert.notEqual(provider.stored!.refresh_token, firstTokens.refresh_token);
    const refreshed = await connect(oauth.url, provider);
    await refreshed.client.callTool({ name: "bridge_status", arguments: {} });
    await refreshed.client.close();

    // Revoke (RFC 7009) the current refresh token: the whole grant ends, its access token with it.
    const revoked = await fetch(`${oauth.issuer}/oauth/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: provider.stored!.refresh_token!, client_id: provider.info!.client_id }),
    });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();
    const after = await fetch(oauth.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${provider.stored!.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(after.status, 401);
    assert.match(
      after.headers.get("www-authenticate") ?? "",
      /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    await after.body?.cancel();
  } finally {
    await oauth.close();
  }
});
