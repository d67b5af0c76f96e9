import assert from "node:assert/strict";
import { createHostOriginGuard } from "../../src/http/host_origin.ts";

const guard = createHostOriginGuard({ allowedHosts: ["abc.ngrok.app"] });
const request = (headers: Record<string, string>) =>
  new Request("http://127.0.0.1:8765/mcp", { method: "POST", headers });

Deno.test("host/origin guard lets loopback and allowed hosts through on any port", () => {
  for (
    const host of ["127.0.0.1:8765", "localhost", "localhost:1", "[::1]:8765", "abc.ngrok.app", "abc.ngrok.app:443"]
  ) {
    assert.equal(guard(request({ host })), undefined, host);
  }
});

Deno.test("host/origin guard refuses other hosts with 403", () => {
  for (const host of ["evil.com", "abc.ngrok.app.evil.com", "127.0.0.2", "10.0.0.1:8765", "ngrok.app"]) {
    assert.equal(guard(request({ host }))?.status, 403, host);
  }
});

Deno.test("host/origin guard refuses a foreign or null Origin with 403 and allows the tunnel's", () => {
  assert.equal(guard(request({ host: "localhost", origin: "https://evil.com" }))?.status, 403);
  assert.equal(guard(request({ host: "localhost", origin: "null" }))?.status, 403);
  assert.equal(guard(request({ host: "abc.ngrok.app", origin: "https://abc.ngrok.app" })), undefined);
  assert.equal(guard(request({ host: "localhost", origin: "http://localhost:3000" })), undefined);
});
