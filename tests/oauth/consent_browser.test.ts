import assert from "node:assert/strict";
// Test-only browser driver: a full specifier here keeps it out of the runtime import map.
// deno-lint-ignore no-import-prefix
import { chromium } from "npm:playwright-core@1.65.1";
import { s256 } from "../../src/oauth/tokens.ts";
import { startOAuthBridge } from "../fixtures/oauth_bridge.ts";

/** Debian's chromium (.ci/run installs it). */
const CHROMIUM = "/usr/bin/chromium";
const CALLBACK = "http://127.0.0.1:9/callback";
const VERIFIER = "browser-test-verifier-".repeat(3);

Deno.test({
  name:
    "in a real browser the owner sees the client, types the printed code (a wrong one first) and lands on the callback",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  // Fail, never skip: a missing browser would silently drop the consent page's only real-browser test.
  await Deno.stat(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  });
  const bridge = await startOAuthBridge();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const registered = await fetch(`${bridge.issuer}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Browser test client", redirect_uris: [CALLBACK] }),
    });
    const { client_id } = await registered.json();
    const authorize = new URL(`${bridge.issuer}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: CALLBACK,
      state: "browser-state",
      code_challenge: s256(VERIFIER),
      code_challenge_method: "S256",
      resource: bridge.url,
    }).toString();

    const page = await browser.newPage();
    // The client's callback: caught here instead of a server on port 9.
    let landed: URL | undefined;
    await page.route(`${CALLBACK}**`, (route) => {
      landed = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/plain", body: "client callback reached" });
    });
    const violations: string[] = [];
    page.on(
      "console",
      (message) => void (/Content Security Policy/.test(message.text()) && violations.push(message.text())),
    );
    await page.goto(authorize.href);
    assert.match(await page.textContent("body") ?? "", /Browser test client/);
    const code = bridge.latestConsentCode();
    assert.ok(!(await page.content()).includes(code), "the code is not on the page");

    await page.fill('input[name="code"]', "AAAA-AAAA");
    await page.click('button[value="approve"]');
    await page.waitForSelector(".notice");
    assert.match(await page.textContent(".notice") ?? "", /Wrong code; 4 tries left/);

    await page.fill('input[name="code"]', code);
    await page.click('button[value="approve"]');
    await page.waitForURL(`${CALLBACK}**`);
    assert.ok(landed, "the browser followed the redirect to the client");
    assert.deepEqual(violations, [], "the page's CSP let the form and its redirect through");
    assert.equal(landed.searchParams.get("state"), "browser-state");
    assert.equal(landed.searchParams.get("iss"), bridge.issuer);
    const token = await fetch(`${bridge.issuer}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id,
        code: landed.searchParams.get("code")!,
        redirect_uri: CALLBACK,
        code_verifier: VERIFIER,
      }),
    });
    assert.equal(token.status, 200);
    assert.ok((await token.json()).access_token);
  } finally {
    await browser.close();
    await bridge.close();
  }
});
