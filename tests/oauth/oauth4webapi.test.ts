import assert from "node:assert/strict";
// Test-only client: a full specifier here keeps it out of the runtime import map.
// deno-lint-ignore no-import-prefix
import * as oauth from "npm:oauth4webapi@3.8.8";
import { connectClient } from "../fixtures/bridge_client.ts";
import { approveAsOwner, startOAuthBridge } from "../fixtures/oauth_bridge.ts";

// The bridge under test listens on http://127.0.0.1 (the only non-https issuer the config accepts).
const insecure = { [oauth.allowInsecureRequests]: true } as const;

Deno.test("oauth4webapi discovers the server from the 401, registers, gets the owner's consent, calls a tool, refreshes and revokes", async () => {
  const bridge = await startOAuthBridge();
  try {
    const resource = new URL(bridge.url);
    // Discovery from the 401 of an unauthenticated MCP request.
    const challenge = await oauth.protectedResourceRequest(
      "not-a-token",
      "POST",
      resource,
      new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream" }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      insecure,
    ).then(() => undefined, (error) => error);
    assert.ok(challenge instanceof oauth.WWWAuthenticateChallengeError, String(challenge));
    const bearer = challenge.cause.find((c) => c.scheme === "bearer")!;
    const metadataUrl = new URL(bearer.parameters.resource_metadata!);
    assert.equal(bearer.parameters.scope, "codex");
    assert.equal(metadataUrl.pathname, "/.well-known/oauth-protected-resource/mcp");
    const rs = await oauth.processResourceDiscoveryResponse(
      resource,
      await oauth.resourceDiscoveryRequest(resource, insecure),
    );
    assert.deepEqual(rs.bearer_methods_supported, ["header"]);
    const issuer = new URL(rs.authorization_servers![0]);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
    assert.equal(as.client_id_metadata_document_supported, true);
    assert.deepEqual(as.code_challenge_methods_supported, ["S256"]);

    const redirectUri = "http://127.0.0.1:9/callback";
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(as, {
        client_name: "oauth4webapi test client",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
        application_type: "native",
      }, insecure),
    );
    const client: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: "none" };

    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const authorizeUrl = new URL(as.authorization_endpoint!);
    for (
      const [key, value] of Object.entries({
        response_type: "code",
        client_id: client.client_id,
        redirect_uri: redirectUri,
        scope: "codex",
        state,
        resource: resource.href,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      })
    ) authorizeUrl.searchParams.set(key, value);
    const callback = await approveAsOwner(bridge, authorizeUrl);
    assert.match(bridge.consentLines.at(-1)!, /oauth4webapi test client/);
    // Checks state and, since the server advertises it, iss (RFC 9207).
    const params = oauth.validateAuthResponse(as, client, callback, state);

    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, {
        additionalParameters: { resource: resource.href },
        ...insecure,
      }),
    );
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.expires_in, 3600);
    assert.ok(tokens.refresh_token);

    const mcp = await connectClient(bridge.url, { token: tokens.access_token });
    const listed = await mcp.listTools();
    assert.ok(listed.tools.some((tool) => tool.name === "codex_run"));
    await mcp.close();

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
        additionalParameters: { resource: resource.href },
        ...insecure,
      }),
    );
    assert.notEqual(refreshed.access_token, tokens.access_token);
    const again = await connectClient(bridge.url, { token: refreshed.access_token });
    await again.listTools();
    await again.close();

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, oauth.None(), refreshed.access_token, insecure),
    );
    await assert.rejects(connectClient(bridge.url, { token: refreshed.access_token }));
    // The grant ended with it: its refresh token no longer works either.
    await assert.rejects(
      oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, insecure)
        .then((response) => oauth.processRefreshTokenResponse(as, client, response)),
      (error: oauth.ResponseBodyError) => error.error === "invalid_grant",
    );
  } finally {
    await bridge.close();
  }
});
