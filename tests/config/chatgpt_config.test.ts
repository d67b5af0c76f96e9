import assert from "node:assert/strict";
import { parseChatgptConfig } from "../../src/config/chatgpt_config.ts";
import { ConfigError } from "../../src/errors.ts";

const env = (vars: Record<string, string> = {}) => (name: string) => vars[name];

Deno.test("parseChatgptConfig() applies the documented defaults and starts without a key", () => {
  const config = parseChatgptConfig([], env());
  assert.equal(config.apiKey, undefined);
  assert.equal(config.baseUrl, "https://api.openai.com/v1");
  assert.equal(config.model, "gpt-5.5");
  assert.equal(config.timeoutMs, 180000);
  assert.ok(Object.isFrozen(config));
});

Deno.test("parseChatgptConfig() reads the variables and lets flags win", () => {
  const vars = {
    OPENAI_API_KEY: "sk-1",
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    CODEX_CHATGPT_MODEL: "gpt-x",
    CODEX_CHATGPT_TIMEOUT_MS: "5000",
  };
  const config = parseChatgptConfig(["--model", "gpt-y"], env(vars));
  assert.equal(config.apiKey, "sk-1");
  assert.equal(config.baseUrl, "http://127.0.0.1:9/v1");
  assert.equal(config.model, "gpt-y");
  assert.equal(config.timeoutMs, 5000);
  assert.equal(parseChatgptConfig([], env({ OPENAI_API_KEY: "" })).apiKey, undefined, "empty means unset");
});

Deno.test("parseChatgptConfig() names the variable and never echoes the key", () => {
  assert.throws(() => parseChatgptConfig([], env({ CODEX_CHATGPT_TIMEOUT_MS: "soon" })), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^Invalid CODEX_CHATGPT_TIMEOUT_MS: "soon"/);
    return true;
  });
  assert.throws(() => parseChatgptConfig(["--base-url", "ftp://x"], env()), /--base-url: "ftp:\/\/x"/);
  assert.throws(() => parseChatgptConfig(["--api-key", "  "], env()), (error: Error) => {
    assert.match(error.message, /--api-key: \(hidden\)/);
    return true;
  });
});
