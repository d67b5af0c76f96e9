import assert from "node:assert/strict";
import { allowed, CHATGPT_REDIRECT, refusedStatus, RESOURCE, startHarness, VERIFIER } from "./harness.ts";

Deno.test("a wrong code_verifier gets invalid_grant; the right one gets tokens with no-store", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const code = await h.approve(client);
    const wrong = await h.token({
      grant_type: "authorization_code",
      client_id: client,
      code,
      redirect_uri: CHATGPT_REDIRECT,
      code_verifier: "w".repeat(43),
    });
    assert.equal(wrong.status, 400);
    assert.equal((await wrong.json()).error, "invalid_grant");
    assert.equal(wrong.headers.get("cache-control"), "no-store");
    const tokens = await h.exchange(client, await h.approve(client));
    assert.equal(tokens.token_type, "Bearer");
    assert.equal(tokens.scope, "codex");
    assert.match(tokens.access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(allowed(await h.check(tokens.access_token)));
  } finally {
    await h.close();
  }
});

Deno.test("a code bound to one client or redirect URI is refused for another; the bound pair works", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const other = await h.register();
    const stolen = await h.approve(client);
    const asOther = await h.token({
      grant_type: "authorization_code",
      client_id: other,
      code: stolen,
      redirect_uri: CHATGPT_REDIRECT,
      code_verifier: VERIFIER,
    });
    assert.equal((await asOther.json()).error, "invalid_grant");
    const code = await h.approve(client);
    const wrongRedirect = await h.token({
      grant_type: "authorization_code",
      client_id: client,
      code,
      redirect_uri: "https://chatgpt.com/connector/oauth/abc",
      code_verifier: VERIFIER,
    });
    assert.equal((await wrongRedirect.json()).error, "invalid_grant");
    assert.ok((await h.exchange(client, await h.approve(client))).access_token);
  } finally {
    await h.close();
  }
});

Deno.test("replaying an authorization code fails and revokes the grant the first exchange produced", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const code = await h.approve(client);
    const first = await h.exchange(client, code);
    assert.ok(allowed(await h.check(first.access_token)));
    await assert.rejects(h.exchange(client, code), /invalid_grant/);
    assert.equal(refusedStatus(await h.check(first.access_token)), 401);
    const refresh = await h.token({
      grant_type: "refresh_token",
      client_id: client,
      refresh_token: first.refresh_token,
    });
    assert.equal((await refresh.json()).error, "invalid_grant");
    assert.equal(h.server.store.listGrants().length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("an authorization code expires after 60 seconds; within them it works", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const fresh = await h.approve(client);
    h.advance(59_000);
    assert.ok((await h.exchange(client, fresh)).access_token);
    const stale = await h.approve(client);
    h.advance(60_001);
    await assert.rejects(h.exchange(client, stale), /expired/);
  } finally {
    await h.close();
  }
});

Deno.test("a token for another resource gets 401; a token for this one passes", async () => {
  const h = await startHarness();
  try {
    const elsewhere = h.server.store.createGrant({
      clientId: "c_x",
      clientName: "x",
      redirectUri: CHATGPT_REDIRECT,
      scope: "codex",
      resource: "https://other.example/mcp",
    });
    const refused = await h.check(elsewhere.accessToken);
    assert.equal(refusedStatus(refused), 401);
    assert.match((refused as Response).headers.get("www-authenticate")!, /resource_metadata=/);
    const here = h.server.store.createGrant({
      clientId: "c_x",
      clientName: "x",
      redirectUri: CHATGPT_REDIRECT,
      scope: "codex",
      resource: RESOURCE,
    });
    assert.ok(allowed(await h.check(here.accessToken)));
  } finally {
    await h.close();
  }
});

Deno.test("a token without the codex scope gets 403 insufficient_scope; with it, it passes", async () => {
  const h = await startHarness();
  try {
    const input = { clientId: "c_x", clientName: "x", redirectUri: CHATGPT_REDIRECT, resource: RESOURCE };
    const narrow = h.server.store.createGrant({ ...input, scope: "other" });
    const refused = await h.check(narrow.accessToken);
    assert.equal(refusedStatus(refused), 403);
    assert.match((refused as Response).headers.get("www-authenticate")!, /insufficient_scope/);
    assert.ok(allowed(await h.check(h.server.store.createGrant({ ...input, scope: "codex" }).accessToken)));
  } finally {
    await h.close();
  }
});

Deno.test("a 401 without a token points to the resource metadata and the scope", async () => {
  const h = await startHarness();
  try {
    const refused = await h.guard(new Request(RESOURCE, { method: "POST" }));
    assert.equal(refusedStatus(refused), 401);
    const header = (refused as Response).headers.get("www-authenticate")!;
    assert.match(header, /^Bearer /);
    assert.match(header, /resource_metadata="https:\/\/bridge\.example\/\.well-known\/oauth-protected-resource\/mcp"/);
    assert.match(header, /scope="codex"/);
  } finally {
    await h.close();
  }
});

Deno.test("refresh tokens rotate; reusing a spent one gets invalid_grant and ends the grant", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const first = await h.exchange(client, await h.approve(client));
    const rotated = await h.token({
      grant_type: "refresh_token",
      client_id: client,
      refresh_token: first.refresh_token,
      resource: RESOURCE,
    });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.headers.get("cache-control"), "no-store");
    const second = await rotated.json();
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.ok(allowed(await h.check(second.access_token)));
    const reused = await h.token({
      grant_type: "refresh_token",
      client_id: client,
      refresh_token: first.refresh_token,
    });
    assert.equal((await reused.json()).error, "invalid_grant");
    // The leak ends everything of that grant, the honest holder's new pair too.
    assert.equal(refusedStatus(await h.check(second.access_token)), 401);
    const honest = await h.token({
      grant_type: "refresh_token",
      client_id: client,
      refresh_token: second.refresh_token,
    });
    assert.equal((await honest.json()).error, "invalid_grant");
  } finally {
    await h.close();
  }
});

Deno.test("a refresh for another client, resource or a wider scope is refused; the plain refresh works", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const tokens = await h.exchange(client, await h.approve(client));
    const other = await h.register();
    const cases: [Record<string, string>, string][] = [
      [{ client_id: other }, "invalid_grant"],
      [{ client_id: client, resource: "https://other.example/mcp" }, "invalid_target"],
      [{ client_id: client, scope: "codex admin" }, "invalid_scope"],
    ];
    for (const [form, error] of cases) {
      const response = await h.token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, ...form });
      assert.equal((await response.json()).error, error, JSON.stringify(form));
    }
    const ok = await h.token({ grant_type: "refresh_token", client_id: client, refresh_token: tokens.refresh_token });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("an access token works for its hour and not after", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const tokens = await h.exchange(client, await h.approve(client));
    h.advance(3599_000);
    assert.ok(allowed(await h.check(tokens.access_token)));
    h.advance(2_000);
    assert.equal(refusedStatus(await h.check(tokens.access_token)), 401);
  } finally {
    await h.close();
  }
});

Deno.test("the token endpoint answers RFC 6749 errors for bad grant types and repeated parameters", async () => {
  const h = await startHarness();
  try {
    const unsupported = await h.token({ grant_type: "password", client_id: "c" });
    assert.equal((await unsupported.json()).error, "unsupported_grant_type");
    const repeated = await h.request("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&code=a&code=b&client_id=c",
    });
    assert.equal((await repeated.json()).error, "invalid_request");
    const json = await h.request("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code" }),
    });
    assert.equal((await json.json()).error, "invalid_request");
  } finally {
    await h.close();
  }
});

Deno.test("the database keeps only hashes of tokens", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const tokens = await h.exchange(client, await h.approve(client));
    const dump = JSON.stringify(h.state.db.prepare("SELECT * FROM oauth_tokens").all());
    assert.ok(!dump.includes(tokens.access_token) && !dump.includes(tokens.refresh_token));
    assert.match(dump, /[0-9a-f]{64}/);
  } finally {
    await h.close();
  }
});

Deno.test("a refresh token idle for 30 days expires, one used within them rotates, and no grant outlives 90 days", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const refresh = async (token: string) => {
      const response = await h.token({ grant_type: "refresh_token", client_id: client, refresh_token: token });
      return { status: response.status, body: await response.json() };
    };
    const idle = await h.exchange(client, await h.approve(client));
    let active = await h.exchange(client, await h.approve(client));
    const day = 24 * 3600_000;
    h.advance(29 * day);
    const kept = await refresh(active.refresh_token);
    assert.equal(kept.status, 200);
    active = kept.body;
    h.advance(2 * day);
    assert.equal((await refresh(idle.refresh_token)).body.error, "invalid_grant", "idle for 31 days");
    // Keep refreshing within the idle window (days 51, 71, 89): the grant still ends 90 days after approval.
    for (const step of [20, 20, 18]) {
      h.advance(step * day);
      const next = await refresh(active.refresh_token);
      assert.equal(next.status, 200);
      active = next.body;
    }
    h.advance(2 * day);
    assert.equal((await refresh(active.refresh_token)).body.error, "invalid_grant", "day 91: past 90 days");
    assert.equal(refusedStatus(await h.check(active.access_token)), 401);
  } finally {
    await h.close();
  }
});
