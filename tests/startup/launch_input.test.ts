import assert from "node:assert/strict";
import { readChatgptBaseUrl } from "../../src/permissions/launch_input.ts";

const env = (vars: Record<string, string> = {}) => (name: string) => vars[name];

Deno.test("readChatgptBaseUrl() takes an http(s) URL and leaves anything else to the full parse", () => {
  assert.equal(readChatgptBaseUrl([], env()), "https://api.openai.com/v1");
  assert.equal(readChatgptBaseUrl([], env({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })), "http://127.0.0.1:9/v1");
  assert.equal(readChatgptBaseUrl(["--base-url", "ftp://x"], env()), undefined);
  assert.equal(readChatgptBaseUrl(["--base-url", "nope"], env()), undefined);
});
