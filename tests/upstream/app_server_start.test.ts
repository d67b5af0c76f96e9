/**
 * A Codex that dies at start: whichever the bridge sees first — the broken
 * pipe of its handshake or the exit — the error names the exit code and the
 * last stderr line. Launched repeatedly because the order is a race (before
 * the fix about a quarter of launches reported "Broken pipe").
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AppServerAdapter } from "../../src/upstream/app_server_adapter.ts";
import { silentLogger } from "../../src/log.ts";

Deno.test("AppServerAdapter reports a Codex that dies at start by its exit, never by the broken pipe", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dying-codex-" });
  const script = join(dir, "codex");
  // Closing stdin first makes the handshake's write fail whenever it comes after the close.
  await Deno.writeTextFile(script, `#!/bin/sh\nexec 0<&-\necho "fatal: cannot load config" >&2\nsleep 0.1\nexit 3\n`);
  await Deno.chmod(script, 0o755);
  try {
    for (let i = 0; i < 20; i++) {
      const adapter = new AppServerAdapter({
        codexPath: script,
        version: "0.169.0",
        env: { PATH: "/usr/bin:/bin" },
        log: silentLogger,
      });
      await assert.rejects(
        adapter.startThread({
          prompt: "hi",
          cwd: dir,
          sandbox: "read-only",
          approvalPolicy: "never",
          signal: new AbortController().signal,
          onEvent: () => {},
        }),
        /^UpstreamError: Codex app-server exited \(code 3\): fatal: cannot load config$/,
      );
      await adapter.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
