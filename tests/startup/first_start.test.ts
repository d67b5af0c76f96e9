/**
 * A first start from a fresh copy of the checkout with an empty DENO_DIR,
 * as a new user runs it: one line says the packages are being fetched, no
 * `Download …` line reaches the log, only the runtime packages land in
 * `node_modules` (none of the test-only ones), and the bridge then starts.
 * The next start prints no fetching line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startBridgeProcess } from "../fixtures/bridge_process.ts";
import { copyCheckout, registryEnv } from "../fixtures/checkout_copy.ts";
import { packageFolder, runtimePackages } from "../../src/startup/dependencies.ts";

Deno.test({
  name: "a first start in a fresh checkout fetches only the runtime packages, announced in one line",
  sanitizeResources: false,
  fn: async () => {
    const base = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "first-start-" });
    const checkout = join(base, "checkout");
    const denoDir = join(base, "deno");
    const root = join(base, "root");
    await Promise.all([Deno.mkdir(checkout), Deno.mkdir(denoDir), Deno.mkdir(root)]);
    try {
      await copyCheckout(checkout);
      const start = (viaTask: boolean) =>
        startBridgeProcess({
          projectDir: checkout,
          viaTask,
          // A Codex that does not exist: the bridge still starts (bridge_status says what is missing).
          args: ["--root", root, "--no-auth", "--codex", join(base, "no-codex")],
          env: { ...registryEnv(), DENO_DIR: denoDir, HOME: base },
          startTimeoutMs: 240_000,
        });
      const first = await start(true);
      assert.equal(await first.stop(), 0, first.stderr());
      const lines = first.stderr().split("\n").filter(Boolean);
      assert.doesNotMatch(first.stderr(), /Download|Initialize/, "Deno's progress lines reached the log");
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
      const fetching = lines.filter((line) => line.includes("fetching the npm packages"));
      assert.equal(fetching.length, 1, first.stderr());
      assert.match(JSON.parse(fetching[0]).msg, /`deno install`/);

      const installed = new Set<string>();
      for await (const entry of Deno.readDir(join(checkout, "node_modules", ".deno"))) {
        if (entry.isDirectory && entry.name !== "node_modules") installed.add(entry.name);
      }
      const config = JSON.parse(await Deno.readTextFile(join(checkout, "deno.json")));
      const lock = JSON.parse(await Deno.readTextFile(join(checkout, "deno.lock")));
      const expected = runtimePackages(config.imports, lock).map((key) =>
        packageFolder(checkout, key).split("/").at(-1)!
      );
      // Besides: the type definitions package.json names (fetched by any `deno install`, loaded by nothing) and the
      // checkout itself as package.json's package.
      const typesOnly = /^(@types\+node|undici-types|codex-gpt-bridge-dev)@/;
      assert.deepEqual([...installed].filter((name) => !typesOnly.test(name)).sort(), expected.sort());
      // What the tests alone use (the conformance suite and what it pulls in, the browser driver, the OAuth client)
      // stays out, and out of the lock a first start installs from.
      for (const name of installed) {
        assert.doesNotMatch(
          name,
          /conformance|express|octokit|^@modelcontextprotocol\+sdk@|playwright|oauth4webapi/,
          name,
        );
      }
      assert.doesNotMatch(JSON.stringify(Object.keys(lock.specifiers ?? {})), /conformance|playwright|oauth4webapi/);

      // Positive control: packages present, the start is silent about them and serves.
      const second = await start(false);
      const response = await fetch(second.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: {} }),
      });
      await response.body?.cancel();
      assert.equal(await second.stop(), 0, second.stderr());
      assert.equal(response.status, 200);
      assert.doesNotMatch(second.stderr(), /fetching the npm packages|Download/);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});
