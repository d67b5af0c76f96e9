import assert from "node:assert/strict";
import { createAuthGuard, secretsEqual } from "../../src/http/auth.ts";

const TOKEN = "0123456789abcdef-token";
const guard = createAuthGuard({ kind: "token", token: TOKEN, generated: false });
const request = (headers: Record<string, string>, url = "http://localhost/mcp") =>
  new Request(url, { method: "POST", headers });

Deno.test("auth guard accepts the exact bearer token", async () => {
  const result = await guard(request({ authorization: `Bearer ${TOKEN}` }));
  assert.ok(result && !(result instanceof Response));
  assert.equal(result.clientId, "bearer-token");
});

Deno.test("auth guard answers 401 with a WWW-Authenticate challenge for missing or wrong tokens", async () => {
  for (
    const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${btoa(`user:${TOKEN}`)}` },
      { authorization: TOKEN },
    ]
  ) {
    const result = await guard(request(headers));
    assert.ok(result instanceof Response, JSON.stringify(headers));
    assert.equal(result.status, 401);
    assert.match(result.headers.get("www-authenticate") ?? "", /^Bearer/);
  }
});

Deno.test("auth guard never accepts a token in the query string", async () => {
  const result = await guard(request({}, `http://localhost/mcp?access_token=${TOKEN}&token=${TOKEN}`));
  assert.ok(result instanceof Response);
  assert.equal(result.status, 401);
});

Deno.test("auth guard lets everything through when auth is off", async () => {
  assert.equal(await createAuthGuard({ kind: "none" })(request({})), undefined);
});

Deno.test("secretsEqual() compares whole secrets of any length", () => {
  assert.equal(secretsEqual("abc", "abc"), true);
  assert.equal(secretsEqual("abc", "abd"), false);
  assert.equal(secretsEqual("abc", "abcd"), false);
  assert.equal(secretsEqual("", "a"), false);
});

Deno.test("auth guard's 401 says plainly that the bridge wants its bearer token, with no OAuth discovery", async () => {
  for (
    const headers of [{} as Record<string, string>, { authorization: "Bearer wrong" }, { authorization: "Bearer a b" }]
  ) {
    const result = await guard(request(headers));
    assert.ok(result instanceof Response);
    assert.equal(result.status, 401);
    const challenge = result.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /^Bearer realm="codex-gpt-bridge"/);
    assert.doesNotMatch(challenge, /resource_metadata/);
    assert.match((await result.json()).error_description, /This bridge wants its bearer token/);
  }
  // Positive twin: the token itself still passes.
  assert.ok(!((await guard(request({ authorization: `Bearer ${TOKEN}` }))) instanceof Response));
});
