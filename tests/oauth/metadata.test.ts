import assert from "node:assert/strict";
import { ISSUER, RESOURCE, startHarness } from "./harness.ts";

Deno.test("protected resource metadata is served at the root and the /mcp well-known paths", async () => {
  const h = await startHarness();
  try {
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      const response = await h.request(path);
      assert.equal(response.status, 200, path);
      const body = await response.json();
      assert.equal(body.resource, RESOURCE);
      assert.deepEqual(body.authorization_servers, [ISSUER]);
      assert.deepEqual(body.scopes_supported, ["codex"]);
      assert.deepEqual(body.bearer_methods_supported, ["header"]);
    }
  } finally {
    await h.close();
  }
});

Deno.test("authorization server metadata advertises S256, none, both grants, DCR, CIMD and iss, and no OIDC", async () => {
  const h = await startHarness();
  try {
    const body = await (await h.request("/.well-known/oauth-authorization-server")).json();
    assert.deepEqual(await (await h.request("/.well-known/oauth-authorization-server/mcp")).json(), body);
    assert.equal(body.issuer, ISSUER);
    assert.deepEqual(body.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(body.token_endpoint_auth_methods_supported, ["none"]);
    assert.deepEqual(body.grant_types_supported, ["authorization_code", "refresh_token"]);
    assert.equal(body.registration_endpoint, `${ISSUER}/oauth/register`);
    assert.equal(body.revocation_endpoint, `${ISSUER}/oauth/revoke`);
    assert.equal(body.client_id_metadata_document_supported, true);
    assert.equal(body.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(body.scopes_supported, ["codex"]);
    assert.equal(await h.server.handle(new Request(`${ISSUER}/.well-known/openid-configuration`)), undefined);
  } finally {
    await h.close();
  }
});

Deno.test("the token, registration and revocation endpoints answer CORS preflights for browser clients", async () => {
  const h = await startHarness();
  try {
    for (const path of ["/oauth/token", "/oauth/register", "/oauth/revoke"]) {
      const preflight = await h.request(path, { method: "OPTIONS" });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
      assert.match(preflight.headers.get("access-control-allow-headers")!, /content-type/);
    }
    const token = await h.token({ grant_type: "password", client_id: "c" });
    assert.equal(token.headers.get("access-control-allow-origin"), "*");
    await token.body?.cancel();
    // The authorize page is not for scripts of other sites.
    const page = await h.request("/oauth/authorize?client_id=nobody&redirect_uri=x");
    assert.equal(page.headers.get("access-control-allow-origin"), null);
    await page.body?.cancel();
  } finally {
    await h.close();
  }
});
