import assert from "node:assert/strict";
import { redirectMatcher } from "../../src/oauth/clients.ts";
import { CHATGPT_REDIRECT_PATTERNS } from "../../src/config/serve_config.ts";
import { CHATGPT_REDIRECT, startHarness, VERIFIER } from "./harness.ts";

const TRICKS = [
  "https://evil@chatgpt.com/connector_platform_oauth_redirect", // userinfo
  "https://chatgpt.com:8443/connector_platform_oauth_redirect", // port
  "https://chatgpt.com:443/connector_platform_oauth_redirect", // default port spelled out
  "https://ChatGPT.com/connector_platform_oauth_redirect", // host case
  "https://chatgpt.com/Connector_platform_oauth_redirect", // path case
  "https://chatgpt.com/connector_platform_oauth_redirect/", // trailing slash
  "https://chatgpt.com/connector/oauth/abc%2F..%2Fevil", // encoded slash
  "https://chatgpt.com/connector/oauth/a/b", // two segments for one *
  "https://chatgpt.com\\@evil.example/connector_platform_oauth_redirect", // backslash
  "https://chatgpt.com/connector_platform_oauth_redirect?next=https://evil.example", // query
  "https://chatgpt.com/connector_platform_oauth_redirect#frag", // fragment
  "https://chatgpt.com.evil.example/connector_platform_oauth_redirect", // suffix host
  "http://chatgpt.com/connector_platform_oauth_redirect", // scheme
  " https://chatgpt.com/connector_platform_oauth_redirect", // leading space
];

Deno.test("redirect URI matching refuses userinfo, port, case, slash, %2F, backslash, query and fragment tricks", () => {
  const allowed = redirectMatcher(CHATGPT_REDIRECT_PATTERNS);
  for (const uri of TRICKS) assert.equal(allowed(uri), false, uri);
  // Positive twins: ChatGPT's two real forms.
  assert.equal(allowed("https://chatgpt.com/connector_platform_oauth_redirect"), true);
  assert.equal(allowed("https://chatgpt.com/connector/oauth/AbC_12-3.x~y"), true);
});

Deno.test("dynamic registration refuses a tricked redirect URI and accepts ChatGPT's", async () => {
  const h = await startHarness();
  try {
    for (const uri of TRICKS) {
      const response = await h.request("/oauth/register", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_name: "x", redirect_uris: [uri] }),
      });
      assert.equal(response.status, 400, uri);
      assert.equal((await response.json()).error, "invalid_redirect_uri");
      assert.equal(response.headers.get("cache-control"), "no-store");
    }
    assert.match(await h.register([CHATGPT_REDIRECT]), /^c_/);
  } finally {
    await h.close();
  }
});

Deno.test("authorize shows an error page, never a redirect, for a redirect URI the client did not register", async () => {
  const h = await startHarness();
  try {
    const client = await h.register([CHATGPT_REDIRECT]);
    for (
      const uri of [`${CHATGPT_REDIRECT}/`, `${CHATGPT_REDIRECT}?x=1`, "https://chatgpt.com/connector/oauth/abc", null]
    ) {
      const response = await h.request(h.authorizeUrl(client, { redirect_uri: uri }).toString());
      assert.equal(response.status, 400, String(uri));
      assert.equal(response.headers.get("location"), null);
      await response.body?.cancel();
    }
    assert.equal(h.consentLines.length, 0, "no consent code for a refused request");
    const ok = await h.request(h.authorizeUrl(client).toString());
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(h.consentLines.length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("registration turns a client asking for a secret into a public one, and its token exchange still works", async () => {
  const h = await startHarness();
  try {
    const response = await h.request("/oauth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        redirect_uris: [CHATGPT_REDIRECT],
        token_endpoint_auth_method: "client_secret_basic",
        application_type: "web",
        client_name: "Confidential-minded",
      }),
    });
    assert.equal(response.status, 201);
    const body = await response.json();
    assert.equal(body.token_endpoint_auth_method, "none");
    assert.equal(body.client_secret, undefined, "no secret is ever issued");
    assert.deepEqual(body.redirect_uris, [CHATGPT_REDIRECT]);
    // It sends its client_id in a Basic header (with an empty secret): accepted as the public client it is.
    const code = await h.approve(body.client_id);
    const token = await h.request("/oauth/token", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${encodeURIComponent(body.client_id)}:`)}`,
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: CHATGPT_REDIRECT,
        code_verifier: VERIFIER,
      }),
    });
    assert.equal(token.status, 200);
    await token.body?.cancel();
    const wrongGrant = await h.request("/oauth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [CHATGPT_REDIRECT], grant_types: ["client_credentials"] }),
    });
    assert.equal((await wrongGrant.json()).error, "invalid_client_metadata");
  } finally {
    await h.close();
  }
});

Deno.test("registrations are capped, and day-old ones without a grant make room", async () => {
  const h = await startHarness();
  try {
    for (let i = 0; i < 100; i++) await h.register([CHATGPT_REDIRECT], `flood ${i}`);
    const refused = await h.request("/oauth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [CHATGPT_REDIRECT] }),
    });
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error_description, /100 registered clients/);
    h.advance(24 * 3600_000 + 1);
    assert.match(await h.register([CHATGPT_REDIRECT], "the owner's client"), /^c_/);
  } finally {
    await h.close();
  }
});
