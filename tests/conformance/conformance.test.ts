/**
 * The official MCP conformance suite against a live bridge, started the way
 * users start it (under its narrow permissions), for both protocol eras. The
 * expected-failures files list only checks that need fixture tools the
 * bridge does not have; the suite itself fails the run on any other failure
 * and on a listed check that starts passing (a stale entry).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { CONFORMANCE_SUITE, TEST_PACKAGE_FLAGS } from "../fixtures/test_packages.ts";

const MUST_PASS: Record<string, string[]> = {
  "2025-11-25": ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"],
  "2026-07-28": ["tools-list", "http-header-validation"],
};

for (const revision of ["2025-11-25", "2026-07-28"]) {
  Deno.test({
    name: `MCP conformance ${revision}: everything passes but the listed fixture-dependent checks`,
    sanitizeResources: false,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "conformance-" });
      // The suite sends no credentials: a loopback bind without auth, as the README allows.
      const bridge = await startBridgeProcess({
        args: ["--root", root, "--no-auth", "--codex", join(PROJECT_DIR, "tests/fixtures/fake_codex.ts")],
      });
      try {
        const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            ...TEST_PACKAGE_FLAGS,
            CONFORMANCE_SUITE,
            "server",
            "--url",
            bridge.url,
            "--requirements",
            revision,
            "--expected-failures",
            join(PROJECT_DIR, `tests/conformance/expected_failures.${revision}.yaml`),
          ],
          env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
          signal: AbortSignal.timeout(240_000),
        }).output();
        const out = new TextDecoder().decode(stdout);
        assert.equal(code, 0, `${out.slice(-3000)}\n${new TextDecoder().decode(stderr).slice(-2000)}`);
        for (const scenario of MUST_PASS[revision]) {
          assert.match(out, new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`), scenario);
        }
        const total = out.match(/Total: (\d+) passed, (\d+) failed/);
        console.log(
          `conformance ${revision}: ${total?.[1]} checks passed, ${total?.[2]} failed, every failure a listed ` +
            "fixture-dependent check",
        );
      } finally {
        assert.equal(await bridge.stop(), 0);
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
