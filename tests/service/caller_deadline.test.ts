import assert from "node:assert/strict";
import { DEADLINE_MARGIN_MS, waitWithin } from "../../src/service/bridge_service.ts";
import { callOptions, withCallerDeadline } from "../../src/mcp/caller.ts";

Deno.test("waitWithin() keeps the window without a deadline and ends it a margin before one", () => {
  assert.equal(waitWithin(25_000, {}, 0), 25_000);
  assert.equal(waitWithin(25_000, { deadline: 30_000 }, 0), 25_000);
  assert.equal(waitWithin(25_000, { deadline: 10_000 }, 0), 10_000 - DEADLINE_MARGIN_MS);
  // A deadline already (nearly) gone: answer at once, never wait past it.
  assert.equal(waitWithin(25_000, { deadline: 1_000 }, 0), 0);
  assert.equal(waitWithin(25_000, { deadline: -5 }, 0), 0);
});

Deno.test("callOptions() reads the deadline a door put in authInfo and the client's identity, and nothing else", () => {
  const base = { token: "t", clientId: "c", scopes: [] };
  assert.deepEqual(callOptions({ http: { authInfo: withCallerDeadline(base, 1234) } }), {
    deadline: 1234,
    clientId: "c",
  });
  assert.deepEqual(callOptions({ http: { authInfo: withCallerDeadline(base, undefined) } }), { clientId: "c" });
  assert.deepEqual(callOptions({ http: { authInfo: { ...base, extra: { callerDeadline: "soon" } } } }), {
    clientId: "c",
  });
  assert.deepEqual(callOptions({ http: { authInfo: { ...base, clientId: "" } } }), {});
  assert.deepEqual(callOptions({}), {});
  assert.deepEqual(callOptions(undefined), {});
});
