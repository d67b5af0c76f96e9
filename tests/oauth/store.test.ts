import assert from "node:assert/strict";
import { allowed, refusedStatus, startHarness } from "./harness.ts";

Deno.test("a restart with the same issuer keeps grants, clients and tokens", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "oauth-restart-" });
  try {
    const before = await startHarness({ stateDir });
    const client = await before.register();
    const tokens = await before.exchange(client, await before.approve(client));
    await before.close();
    const after = await startHarness({ stateDir });
    try {
      assert.ok(allowed(await after.check(tokens.access_token)));
      assert.equal(after.server.store.listGrants().length, 1);
      const refreshed = await after.token({
        grant_type: "refresh_token",
        client_id: client,
        refresh_token: tokens.refresh_token,
      });
      assert.equal(refreshed.status, 200);
      await refreshed.body?.cancel();
      await after.openConsent(after.authorizeUrl(client));
    } finally {
      await after.close();
    }
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("a restart with another issuer wipes grants, clients and tokens", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "oauth-issuer-" });
  try {
    const before = await startHarness({ stateDir });
    const client = await before.register();
    const tokens = await before.exchange(client, await before.approve(client));
    await before.close();
    const moved = await startHarness({ stateDir, issuer: "https://moved.example" });
    try {
      assert.equal(refusedStatus(await moved.check(tokens.access_token)), 401);
      assert.equal(moved.server.store.listGrants().length, 0);
      const response = await moved.request(moved.authorizeUrl(client).toString());
      assert.equal(response.status, 400, "the client registration went too");
      await response.body?.cancel();
    } finally {
      await moved.close();
    }
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("revoking a grant in the database (as the CLI does) stops its token on the next request", async () => {
  const h = await startHarness();
  try {
    const client = await h.register();
    const kept = await h.exchange(client, await h.approve(client));
    const ended = await h.exchange(client, await h.approve(client));
    const grant = h.server.store.grantOfToken(ended.access_token)!;
    assert.equal(h.server.store.revokeGrant(grant.id), true);
    assert.equal(refusedStatus(await h.check(ended.access_token)), 401);
    assert.ok(allowed(await h.check(kept.access_token)));
    assert.equal(h.server.store.revokeAll(), 1);
    assert.equal(refusedStatus(await h.check(kept.access_token)), 401);
  } finally {
    await h.close();
  }
});
