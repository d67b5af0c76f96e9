import assert from "node:assert/strict";
import { createHttpHandler } from "../../src/http/handler.ts";
import { createHostOriginGuard } from "../../src/http/host_origin.ts";
import { silentLogger } from "../../src/log.ts";
import { CHATGPT_REDIRECT, ISSUER, startHarness } from "./harness.ts";

Deno.test("the consent page shows client, redirect host and scope, hides the code, and sends the protective headers", async () => {
  const h = await startHarness();
  try {
    const client = await h.register([CHATGPT_REDIRECT], "ChatGPT <b>connector</b>");
    const { html, code, response } = await h.openConsent(h.authorizeUrl(client));
    assert.match(h.consentLines[0], /consent code: [A-Z0-9]{4}-[A-Z0-9]{4}/);
    assert.ok(!html.includes(code) && !html.includes(code.replace("-", "")), "the code is never on the page");
    assert.match(html, /ChatGPT &#60;b&#62;connector&#60;\/b&#62;/);
    assert.match(html, /chatgpt\.com/);
    assert.match(html, /codex/);
    assert.equal((html.match(/<form method="post">/g) ?? []).length, 1);
    assert.match(html, /name="code"/);
    assert.equal(
      response.headers.get("content-security-policy"),
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https://chatgpt.com; frame-ancestors 'none'",
    );
    assert.equal(response.headers.get("x-frame-options"), "DENY");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
  } finally {
    await h.close();
  }
});

Deno.test("approving with the printed code redirects with code, state and iss; denying sends access_denied with iss", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const url = h.authorizeUrl(client);
    const page = await h.openConsent(url);
    // Lower case and without the dash still counts: the owner types what they read.
    const approved = await h.answer(url, {
      request: page.request,
      csrf: page.csrf,
      code: page.code.replace("-", "").toLowerCase(),
      action: "approve",
    });
    assert.equal(approved.status, 303);
    const back = new URL(approved.headers.get("location")!);
    assert.equal(`${back.origin}${back.pathname}`, CHATGPT_REDIRECT);
    assert.ok(back.searchParams.get("code"));
    assert.equal(back.searchParams.get("state"), "state-123");
    assert.equal(back.searchParams.get("iss"), ISSUER);

    const again = await h.openConsent(url);
    const denied = await h.answer(url, { request: again.request, csrf: again.csrf, code: "", action: "deny" });
    const refusal = new URL(denied.headers.get("location")!);
    assert.equal(refusal.searchParams.get("error"), "access_denied");
    assert.equal(refusal.searchParams.get("iss"), ISSUER);
    assert.equal(refusal.searchParams.get("state"), "state-123");
    assert.equal(refusal.searchParams.get("code"), null);
  } finally {
    await h.close();
  }
});

Deno.test("a consent form without or with a wrong CSRF token is refused, and the request still works with the right one", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const url = h.authorizeUrl(client);
    const page = await h.openConsent(url);
    for (const csrf of [undefined, "", "wrong", page.csrf.slice(0, -1)]) {
      const fields: Record<string, string> = { request: page.request, code: page.code, action: "approve" };
      if (csrf !== undefined) fields.csrf = csrf;
      const refused = await h.answer(url, fields);
      assert.equal(refused.status, 403, String(csrf));
      assert.equal(refused.headers.get("location"), null);
      await refused.body?.cancel();
    }
    const approved = await h.answer(url, {
      request: page.request,
      csrf: page.csrf,
      code: page.code,
      action: "approve",
    });
    assert.equal(approved.status, 303);
    assert.ok(new URL(approved.headers.get("location")!).searchParams.get("code"));
  } finally {
    await h.close();
  }
});

Deno.test("five wrong consent codes end the request; four wrong then the right one still approves", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const url = h.authorizeUrl(client);
    const locked = await h.openConsent(url);
    for (let attempt = 1; attempt <= 4; attempt++) {
      const wrong = await h.answer(url, {
        request: locked.request,
        csrf: locked.csrf,
        code: "AAAA-AAAA",
        action: "approve",
      });
      assert.equal(wrong.status, 400);
      assert.match(await wrong.text(), new RegExp(`${5 - attempt} tries left`));
    }
    const fifth = await h.answer(url, {
      request: locked.request,
      csrf: locked.csrf,
      code: "AAAA-AAAA",
      action: "approve",
    });
    assert.equal(fifth.status, 303);
    assert.equal(new URL(fifth.headers.get("location")!).searchParams.get("error"), "access_denied");
    const late = await h.answer(url, {
      request: locked.request,
      csrf: locked.csrf,
      code: locked.code,
      action: "approve",
    });
    assert.equal(late.status, 400, "the right code no longer helps");
    assert.equal(late.headers.get("location"), null);
    await late.body?.cancel();

    const twin = await h.openConsent(url);
    for (let attempt = 1; attempt <= 4; attempt++) {
      const wrong = await h.answer(url, {
        request: twin.request,
        csrf: twin.csrf,
        code: "AAAA-AAAA",
        action: "approve",
      });
      await wrong.body?.cancel();
    }
    const right = await h.answer(url, { request: twin.request, csrf: twin.csrf, code: twin.code, action: "approve" });
    assert.ok(new URL(right.headers.get("location")!).searchParams.get("code"));
  } finally {
    await h.close();
  }
});

Deno.test("a consent code expires after 5 minutes; just before, it still approves", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const url = h.authorizeUrl(client);
    const early = await h.openConsent(url);
    h.advance(299_000);
    const ok = await h.answer(url, { request: early.request, csrf: early.csrf, code: early.code, action: "approve" });
    assert.equal(ok.status, 303);
    const late = await h.openConsent(url);
    h.advance(300_001);
    const expired = await h.answer(url, { request: late.request, csrf: late.csrf, code: late.code, action: "approve" });
    assert.equal(expired.status, 400);
    assert.match(await expired.text(), /expired/);
  } finally {
    await h.close();
  }
});

Deno.test("PKCE plain or missing is refused at authorize with iss; S256 opens the consent page", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    for (const method of ["plain", null]) {
      const response = await h.request(h.authorizeUrl(client, { code_challenge_method: method }).toString());
      assert.equal(response.status, 303, String(method));
      const back = new URL(response.headers.get("location")!);
      assert.equal(back.searchParams.get("error"), "invalid_request");
      assert.equal(back.searchParams.get("iss"), ISSUER);
      assert.equal(back.searchParams.get("state"), "state-123");
    }
    const noChallenge = await h.request(h.authorizeUrl(client, { code_challenge: null }).toString());
    assert.equal(new URL(noChallenge.headers.get("location")!).searchParams.get("error"), "invalid_request");
    assert.equal(h.consentLines.length, 0);
    await h.openConsent(h.authorizeUrl(client));
  } finally {
    await h.close();
  }
});

Deno.test("authorize refuses an unknown resource or scope and accepts a configured extra resource", async () => {
  const extra = "https://rewritten.tunnel.example/mcp";
  const h = await startHarness({ extraResources: [extra] });
  try {
    const client = await h.register();
    const wrongResource = await h.request(
      h.authorizeUrl(client, { resource: "https://other.example/mcp" }).toString(),
    );
    assert.equal(new URL(wrongResource.headers.get("location")!).searchParams.get("error"), "invalid_target");
    const wrongScope = await h.request(h.authorizeUrl(client, { scope: "codex openid" }).toString());
    assert.equal(new URL(wrongScope.headers.get("location")!).searchParams.get("error"), "invalid_scope");
    const code = await h.approve(client, { resource: extra });
    const response = await h.token({
      grant_type: "authorization_code",
      client_id: client,
      code,
      redirect_uri: CHATGPT_REDIRECT,
      code_verifier: "v".repeat(20) + "-verifier-of-43-or-more-chars",
      resource: extra,
    });
    assert.equal(response.status, 200);
    const { access_token } = await response.json();
    const result = await h.check(access_token);
    assert.ok(!(result instanceof Response));
    assert.equal((result as { resource: URL }).resource.href, extra);
  } finally {
    await h.close();
  }
});

Deno.test("the consent page refuses a bad Host or Origin and works through the public host", async () => {
  const h = await startHarness();
  try {
    const handler = createHttpHandler({
      serverFactory: () => {
        throw new Error("no MCP request in this test");
      },
      hostOrigin: createHostOriginGuard({ allowedHosts: ["bridge.example"] }),
      auth: h.guard,
      routes: h.server,
      log: silentLogger,
    });
    const client = await h.register();
    const url = h.authorizeUrl(client);
    const get = (headers: Record<string, string>) => handler.fetch(new Request(url, { headers }));
    const badHost = await get({ host: "evil.example" });
    assert.equal(badHost.status, 403);
    await badHost.body?.cancel();
    const badOrigin = await get({ host: "bridge.example", origin: "https://evil.example" });
    assert.equal(badOrigin.status, 403);
    await badOrigin.body?.cancel();
    assert.equal(h.consentLines.length, 0);
    const page = await get({ host: "bridge.example" });
    assert.equal(page.status, 200);
    const html = await page.text();
    const fields = Object.fromEntries(
      ["request", "csrf"].map((name) => [name, html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]]),
    );
    const code = h.consentLines[0].match(/consent code: (\S+)/)![1];
    const post = (origin: string) =>
      handler.fetch(
        new Request(url, {
          method: "POST",
          headers: { host: "bridge.example", origin, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...fields, code, action: "approve" }),
        }),
      );
    const crossSite = await post("https://evil.example");
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();
    // "null" (what Chrome sends for this form under no-referrer) passes only for the consent form, nowhere else.
    const nullToken = await handler.fetch(
      new Request(`${ISSUER}/oauth/token`, {
        method: "POST",
        headers: { host: "bridge.example", origin: "null", "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=refresh_token&client_id=c&refresh_token=x",
      }),
    );
    assert.equal(nullToken.status, 403);
    await nullToken.body?.cancel();
    const badHostPost = await handler.fetch(
      new Request(url, {
        method: "POST",
        headers: { host: "evil.example", origin: "null", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ ...fields, code, action: "approve" }),
      }),
    );
    assert.equal(badHostPost.status, 403);
    await badHostPost.body?.cancel();
    const sameSite = await post("https://bridge.example");
    assert.equal(sameSite.status, 303);
    await handler.close();
  } finally {
    await h.close();
  }
});

Deno.test("at most 10 consent codes are printed per minute; a minute later the next request gets one", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    for (let i = 0; i < 10; i++) await h.openConsent(h.authorizeUrl(client));
    const flooded = await h.request(h.authorizeUrl(client).toString());
    assert.equal(flooded.status, 429);
    assert.match(await flooded.text(), /Too many approval requests/);
    assert.equal(h.consentLines.length, 10);
    h.advance(60_001);
    const { code } = await h.openConsent(h.authorizeUrl(client));
    assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  } finally {
    await h.close();
  }
});
