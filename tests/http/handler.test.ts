import assert from "node:assert/strict";
import { McpServer } from "@modelcontextprotocol/server";
import { createHttpHandler, MAX_BODY_BYTES } from "../../src/http/handler.ts";
import { createAuthGuard } from "../../src/http/auth.ts";
import { createHostOriginGuard } from "../../src/http/host_origin.ts";
import { createLogger } from "../../src/log.ts";

function setup() {
  const lines: string[] = [];
  const handler = createHttpHandler({
    serverFactory: () => new McpServer({ name: "test", version: "1" }),
    hostOrigin: createHostOriginGuard({ allowedHosts: [] }),
    auth: createAuthGuard({ kind: "token", token: "handler-token-0123456789", generated: false }),
    log: createLogger({ write: (line) => lines.push(line) }),
  });
  return { handler, lines };
}

const request = (path: string, init: RequestInit = {}) =>
  new Request(`http://127.0.0.1:8765${path}`, { ...init, headers: { host: "127.0.0.1:8765", ...init.headers } });

Deno.test("handler serves /healthz and refuses other paths and methods", async () => {
  const { handler } = setup();
  assert.equal((await handler.fetch(request("/healthz"))).status, 200);
  assert.equal((await handler.fetch(request("/healthz", { method: "POST" }))).status, 405);
  const missing = await handler.fetch(request("/nope"));
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /the MCP endpoint is \/mcp/);
  await handler.close();
});

Deno.test("handler logs why it refused a request, never the token", async () => {
  const { handler, lines } = setup();
  await handler.fetch(request("/mcp", { method: "POST", headers: { host: "evil.example", origin: "https://x" } }));
  await handler.fetch(request("/mcp", { method: "POST", headers: { authorization: "Bearer secret-guess-123456" } }));
  const logged = lines.map((line) => JSON.parse(line));
  assert.equal(logged[0].msg, "request refused: host or origin not allowed");
  assert.equal(logged[0].host, "evil.example");
  assert.equal(logged[1].msg, "request refused: missing or invalid bearer token");
  assert.equal(logged[1].hasAuthorization, true);
  assert.doesNotMatch(lines.join("\n"), /secret-guess/);
  await handler.close();
});

Deno.test("handler answers 413 for a declared oversize body without reading it", async () => {
  const { handler } = setup();
  const response = await handler.fetch(request("/mcp", {
    method: "POST",
    headers: {
      authorization: "Bearer handler-token-0123456789",
      "content-type": "application/json",
      "content-length": String(MAX_BODY_BYTES + 1),
    },
    body: "{}",
  }));
  assert.equal(response.status, 413);
  await handler.close();
});
