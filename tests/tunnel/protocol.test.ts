import assert from "node:assert/strict";
import { commandType, parsePollResponse, parseResponseTimeout, parseRetryAfter } from "../../src/tunnel/protocol.ts";
import { TUNNEL_ID_PATTERN } from "../../src/tunnel/tunnel_id.ts";

Deno.test("parseResponseTimeout() follows the contract's grammar and fails open on anything else", () => {
  assert.equal(parseResponseTimeout("30s"), 30_000);
  assert.equal(parseResponseTimeout("4500ms"), 4500);
  assert.equal(parseResponseTimeout("2m"), 120_000);
  assert.equal(parseResponseTimeout("1h"), 3_600_000);
  assert.equal(parseResponseTimeout("1500000us"), 1500);
  assert.equal(parseResponseTimeout("2000000ns"), 2);
  assert.equal(parseResponseTimeout("0s"), 0, "a valid zero: already expired");
  for (
    const bad of ["4.5s", "-1s", "+1s", "1m30s", " 1s", "1s ", "1e3s", "30d", "30S", "999999999999999999999999h", ""]
  ) {
    assert.equal(parseResponseTimeout(bad), undefined, JSON.stringify(bad));
  }
  for (const wrongType of [30, null, undefined, true, { s: 1 }]) {
    assert.equal(parseResponseTimeout(wrongType), undefined);
  }
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates, caps them, and ignores malformed or past values", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("5", now, 60_000), 5000);
  assert.equal(parseRetryAfter("3600", now, 60_000), 60_000, "capped");
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now, 60_000), 10_000);
  assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now, 60_000), undefined, "already past");
  for (const bad of [null, "-5", "1.5", "soon", "0"]) assert.equal(parseRetryAfter(bad, now, 60_000), undefined, bad!);
});

Deno.test("parsePollResponse() keeps unknown fields and types, and one bad item never hides the others", () => {
  const items = parsePollResponse({
    commands: [
      { request_id: "a", shard_token: "s", created_at: "x", jsonrpc: {}, future_field: 1 },
      { request_id: "b", shard_token: "s", command_type: "teleport", response_timeout: 30 },
      { request_id: "c" },
      "junk",
    ],
    extra: true,
  });
  assert.equal(items.length, 4);
  assert.ok(items[0].ok && commandType(items[0].command) === "jsonrpc", "absent type means jsonrpc");
  assert.ok(items[0].ok && (items[0].command as Record<string, unknown>).future_field === 1);
  assert.ok(items[1].ok && commandType(items[1].command) === "teleport");
  assert.ok(items[1].ok && items[1].command.response_timeout === 30, "a wrong-typed timeout stays decodable");
  assert.deepEqual([items[2].ok, !items[2].ok && items[2].requestId], [false, "c"]);
  assert.equal(items[3].ok, false);
  assert.throws(() => parsePollResponse({ nope: [] }), /commands/);
});

Deno.test("tunnel ids are tunnel_ and 32 lowercase letters or digits", () => {
  assert.match(`tunnel_${"a1".repeat(16)}`, TUNNEL_ID_PATTERN);
  for (
    const bad of ["tunnel_123", `tunnel_${"A".repeat(32)}`, `tunnel-${"a".repeat(32)}`, `tunnel_${"a".repeat(33)}`]
  ) {
    assert.doesNotMatch(bad, TUNNEL_ID_PATTERN);
  }
});
