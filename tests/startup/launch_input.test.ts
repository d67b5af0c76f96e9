import assert from "node:assert/strict";
import { readChatgptBaseUrl, readServeLaunchInput } from "../../src/permissions/launch_input.ts";
import { parseServeConfig } from "../../src/config/serve_config.ts";

const env = (vars: Record<string, string> = {}) => (name: string) => vars[name];

Deno.test("readServeLaunchInput() reads what the plan needs as the full parse does", () => {
  const args = ["--root", "/a", "--root", "/b", "--port", "9000", "--codex", "/c/codex", "--codex-read-path", "/t"];
  const vars = { HOME: "/h", CODEX_GPT_BRIDGE_HOST: " 127.0.0.2 " };
  const quick = readServeLaunchInput(args, env(vars))!;
  const full = parseServeConfig(args, env(vars));
  assert.deepEqual(
    { ...quick },
    {
      roots: full.roots,
      host: full.host,
      port: full.port,
      codexPath: full.codexPath,
      codexReadPaths: full.codexReadPaths,
      stateDir: full.stateDir,
    },
  );
  assert.equal(readServeLaunchInput(["--root", "/a"], env({ HOME: "/h" }))?.port, 8765);
});

Deno.test("readServeLaunchInput() leaves a value it cannot plan with to the full parse", () => {
  for (
    const args of [["--port", "abc"], ["--port", "70000"], ["--host", " "], ["--codex", ""], ["--state-dir", " "]]
  ) {
    assert.equal(readServeLaunchInput(["--root", "/a", ...args], env({ HOME: "/h" })), undefined, args.join(" "));
  }
  assert.equal(readServeLaunchInput([], env({ HOME: "/h" })), undefined);
  assert.equal(readServeLaunchInput(["--root", "/a"], env()), undefined, "no state folder without HOME");
  assert.throws(() => readServeLaunchInput(["--bogus"], env()), /Unknown option '--bogus'/);
});

Deno.test("readChatgptBaseUrl() takes an http(s) URL and leaves anything else to the full parse", () => {
  assert.equal(readChatgptBaseUrl([], env()), "https://api.openai.com/v1");
  assert.equal(readChatgptBaseUrl([], env({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })), "http://127.0.0.1:9/v1");
  assert.equal(readChatgptBaseUrl(["--base-url", "ftp://x"], env()), undefined);
  assert.equal(readChatgptBaseUrl(["--base-url", "nope"], env()), undefined);
});
