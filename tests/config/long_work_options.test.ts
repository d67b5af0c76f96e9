import assert from "node:assert/strict";
import { parseServeConfig } from "../../src/config/serve_config.ts";
import { ConfigError } from "../../src/errors.ts";

const env = (vars: Record<string, string> = {}) => (name: string) => ({ HOME: "/home/owner", ...vars })[name];

Deno.test("--models takes a comma list or repeats, from the flag or CODEX_GPT_BRIDGE_MODELS; unset allows any", () => {
  assert.deepEqual(parseServeConfig(["--root", "/a", "--models", "a,b", "--models", "c,a"], env()).models, [
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual(parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_MODELS: "x,y" })).models, ["x", "y"]);
  assert.deepEqual(parseServeConfig(["--root", "/a"], env()).models, []);
});

Deno.test("--max-reasoning-effort accepts the efforts Codex names and nothing else", () => {
  assert.equal(parseServeConfig(["--root", "/a", "--max-reasoning-effort", "high"], env()).maxReasoningEffort, "high");
  assert.equal(
    parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_MAX_REASONING_EFFORT: "low" })).maxReasoningEffort,
    "low",
  );
  assert.equal(parseServeConfig(["--root", "/a"], env()).maxReasoningEffort, undefined);
  assert.throws(
    () => parseServeConfig(["--root", "/a", "--max-reasoning-effort", "huge"], env()),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message === 'Invalid --max-reasoning-effort: "huge" (expected one of none, minimal, low, medium, high, ' +
          "xhigh, max, ultra)",
  );
  assert.throws(
    () => parseServeConfig(["--root", "/a", "--models", "bad name"], env()),
    /Invalid --models: "bad name" \(expected a model name\)/,
  );
});

Deno.test("--audit-prompts is off unless the owner turns it on", () => {
  assert.equal(parseServeConfig(["--root", "/a"], env()).auditPrompts, false);
  assert.equal(parseServeConfig(["--root", "/a", "--audit-prompts"], env()).auditPrompts, true);
  assert.equal(parseServeConfig(["--root", "/a"], env({ CODEX_GPT_BRIDGE_AUDIT_PROMPTS: "1" })).auditPrompts, true);
});
