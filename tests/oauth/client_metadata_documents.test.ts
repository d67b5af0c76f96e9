import assert from "node:assert/strict";
import type { MetadataFetch } from "../../src/oauth/clients.ts";
import { CHATGPT_REDIRECT, startHarness } from "./harness.ts";

const CHATGPT_CLIENT = "https://chatgpt.com/oauth/client.json";

/** A stubbed network: answers per URL, records every call and its options. */
function stubFetch(answer: (url: string) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: MetadataFetch = (url, init) => {
    calls.push({ url, init });
    return Promise.resolve(answer(url));
  };
  return { fetch, calls };
}

// Shaped like the document ChatGPT publishes: private_key_jwt preferred, "none" supported too.
const document = (overrides: Record<string, unknown> = {}) =>
  Response.json({
    client_id: CHATGPT_CLIENT,
    client_name: "ChatGPT",
    redirect_uris: [CHATGPT_REDIRECT],
    token_endpoint_auth_method: "private_key_jwt",
    token_endpoint_auth_methods_supported: ["none", "private_key_jwt"],
    token_endpoint_auth_signing_alg: "RS256",
    jwks_uri: "https://chatgpt.com/oauth/jwks.json",
    ...overrides,
  });

Deno.test("a client metadata document that names itself is fetched once without redirects and opens the consent page", async () => {
  const stub = stubFetch(() => document());
  const h = await startHarness({ fetch: stub.fetch });
  try {
    const { html } = await h.openConsent(h.authorizeUrl(CHATGPT_CLIENT));
    assert.match(html, /ChatGPT/);
    assert.match(h.consentLines[0], /"ChatGPT"/);
    await h.openConsent(h.authorizeUrl(CHATGPT_CLIENT));
    assert.equal(stub.calls.length, 1, "cached");
    assert.equal(stub.calls[0].url, CHATGPT_CLIENT);
    assert.equal(stub.calls[0].init.redirect, "manual");
    assert.ok(stub.calls[0].init.signal, "bounded in time");
    const tokens = await h.exchange(CHATGPT_CLIENT, await h.approve(CHATGPT_CLIENT));
    assert.ok(tokens.access_token);
  } finally {
    await h.close();
  }
});

Deno.test("a client metadata document naming another client_id, oversize, redirected or from another host is refused", async () => {
  const cases: [string, (url: string) => Response][] = [
    ["another client_id", () => document({ client_id: "https://chatgpt.com/oauth/other.json" })],
    ["oversize", () => document({ padding: "x".repeat(6000) })],
    ["redirect", () => new Response(null, { status: 302, headers: { location: "https://evil.example/client.json" } })],
    ["not found", () => new Response("no", { status: 404 })],
    ["not JSON", () => new Response("<html>")],
    ["redirect URI not allowed", () => document({ redirect_uris: ["https://evil.example/callback"] })],
    ["no public method", () => document({ token_endpoint_auth_methods_supported: ["private_key_jwt"] })],
  ];
  for (const [why, answer] of cases) {
    const stub = stubFetch(answer);
    const h = await startHarness({ fetch: stub.fetch });
    try {
      const response = await h.request(h.authorizeUrl(CHATGPT_CLIENT).toString());
      assert.equal(response.status, 400, why);
      assert.equal(response.headers.get("location"), null, why);
      await response.body?.cancel();
      assert.equal(h.consentLines.length, 0, why);
    } finally {
      await h.close();
    }
  }
  // A client id on a host the owner never allowed as a redirect target is not even fetched.
  const stub = stubFetch(() => document({ client_id: "https://evil.example/client.json" }));
  const h = await startHarness({ fetch: stub.fetch });
  try {
    const response = await h.request(h.authorizeUrl("https://evil.example/client.json").toString());
    assert.equal(response.status, 400);
    await response.body?.cancel();
    assert.equal(stub.calls.length, 0);
  } finally {
    await h.close();
  }
});
