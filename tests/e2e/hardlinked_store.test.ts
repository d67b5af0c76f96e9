/**
 * A project whose `node_modules` is hard-linked from a package store outside
 * the root (as Deno, pnpm and `git clone` of a local path make them) works
 * with the real Codex 0.171.0: the secret scan collapses each package into
 * one hidden folder instead of refusing the turn, and a file whose other
 * name lies outside the root stays unreadable inside the turn.
 *
 * Everything lives under /var/tmp: Codex's own workspace-write allows /tmp,
 * which would hide an escape.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { scriptedModel } from "../fixtures/scripted_model.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { startBridgeProcess } from "../fixtures/bridge_process.ts";
import { callToEnd, connectClient } from "../fixtures/bridge_client.ts";

const TOKEN = "hardlinked-store-token-0123456789";
const STORE_MARKER = "STORE-FILE-MARKER-31";
/** Packages in the store, 7 files each: 1400 hard links, more than the scan's bound on hidden paths one by one. */
const PACKAGES = 200;
const FILES = ["package.json", "index.js", "lib/a.js", "lib/b.js", "lib/c.js", "lib/d.js", "lib/e.js"];

/** Lays out `count` packages as Deno does: node_modules/.deno/<pkg>@<v>/{.initialized, node_modules/<pkg>/…}. */
function linkDenoStore(store: string, root: string, count: number) {
  Deno.mkdirSync(join(root, "node_modules", ".deno"), { recursive: true });
  Deno.writeTextFileSync(join(root, "node_modules", ".deno", ".deno.lock"), "{}");
  for (let i = 0; i < count; i++) {
    const pkg = join(root, "node_modules", ".deno", `p${i}@1.0.0`);
    Deno.mkdirSync(join(store, `p${i}`, "lib"), { recursive: true });
    Deno.mkdirSync(join(pkg, "node_modules", `p${i}`, "lib"), { recursive: true });
    Deno.writeTextFileSync(join(pkg, ".initialized"), "");
    for (const file of FILES) {
      Deno.writeTextFileSync(join(store, `p${i}`, file), `${STORE_MARKER} ${i}`);
      Deno.linkSync(join(store, `p${i}`, file), join(pkg, "node_modules", `p${i}`, file));
    }
    Deno.symlinkSync(join(pkg, "node_modules", `p${i}`), join(root, "node_modules", `p${i}`));
  }
}

Deno.test({
  name: `hard-linked store: Codex ${CURRENT_CODEX} answers in a root whose node_modules links a store outside it`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const model = await startFakeResponsesApi({ reply: scriptedModel });
    const base = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp", prefix: "bridge-store-" }));
    const home = await createCodexHome({ modelBaseUrl: model.baseUrl, dir: base });
    const root = join(base, "root");
    Deno.mkdirSync(join(root, "src"), { recursive: true });
    Deno.writeTextFileSync(join(root, "src", "app.ts"), "export const app = 1;");
    linkDenoStore(join(base, "store"), root, PACKAGES);
    const args = ["--root", root, "--codex", codexBinary(CURRENT_CODEX), "--token", TOKEN, "--fast-return-ms", "8000"];
    const bridge = await startBridgeProcess({ args, env: home.env });
    const client = await connectClient(bridge.url, { token: TOKEN });
    try {
      await t.step("codex_read completes; the linked files are hidden, one folder per package", async () => {
        const pkg = "node_modules/.deno/p1@1.0.0";
        const result = await callToEnd(client, "codex_read", {
          prompt: `RUN{cat src/app.ts; cat ${pkg}/.initialized node_modules/.deno/.deno.lock; ` +
            `cat ${pkg}/node_modules/p1/index.js; cat node_modules/p1/lib/a.js; echo done}`,
          cwd: root,
        });
        assert.equal(result.status, "completed", result.message);
        assert.match(result.text, /export const app/, "an ordinary file is readable");
        assert.match(result.text, /\{\}/, "the store's own files in the root are readable");
        assert.match(result.text, /done/);
        assert.match(result.text, /index\.js: (Permission denied|No such file)/);
        assert.match(result.text, /a\.js: (Permission denied|No such file)/, "through the package's symlink too");
        assert.equal(result.hiddenFiles, PACKAGES, JSON.stringify(result));
      });

      await t.step("the model never saw a file whose other name is outside the root", () => {
        const seen = JSON.stringify(model.requests.map((request) => request.body));
        assert.ok(seen.includes("export const app"), "the readable file did reach the model (positive control)");
        assert.equal(seen.includes(STORE_MARKER), false);
      });
    } finally {
      await client.close();
      assert.equal(await bridge.stop(), 0, bridge.stderr());
      await model.close();
      await Deno.remove(base, { recursive: true });
    }
  },
});
