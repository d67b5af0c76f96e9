/**
 * End to end: ChatGPT's side of the bridge (an MCP client over HTTP) → the
 * bridge as a real process → the real Codex CLI → a scripted fake model, for
 * every supported (Codex version, upstream protocol) pair. The same scenarios
 * run for each pair, so both adapters prove the same behaviour.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeResponsesApi } from "../fixtures/fake_responses_api.ts";
import { scriptedModel } from "../fixtures/scripted_model.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX, LEGACY_CODEX, PREVIOUS_CODEX } from "../fixtures/codex_versions.ts";
import { startBridgeProcess } from "../fixtures/bridge_process.ts";
import { call, callToEnd, connectClient, pollUntilDone } from "../fixtures/bridge_client.ts";

const TOKEN = "e2e-token-0123456789abcdef";
const PAIRS = [
  { version: LEGACY_CODEX, upstream: "mcp-server" },
  { version: LEGACY_CODEX, upstream: "app-server" },
  { version: PREVIOUS_CODEX, upstream: "app-server" },
  { version: CURRENT_CODEX, upstream: "app-server" },
] as const;

for (const { version, upstream } of PAIRS) {
  Deno.test({
    name: `e2e: Codex ${version} via ${upstream} through the bridge's HTTP endpoint`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async (t) => {
      const model = await startFakeResponsesApi({ reply: scriptedModel });
      const home = await createCodexHome({ modelBaseUrl: model.baseUrl });
      const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "bridge-e2e-" }));
      const clean = join(base, "clean"), secret = join(base, "secret"), outside = join(base, "outside");
      for (const dir of [clean, secret, outside]) await Deno.mkdir(dir);
      await Deno.writeTextFile(join(clean, "hello.txt"), "hello from the root");
      await Deno.writeTextFile(join(secret, ".env"), "API_KEY=do-not-leak");
      await Deno.symlink(outside, join(clean, "link-out"));
      const common = [
        "--root",
        clean,
        "--root",
        secret,
        "--codex",
        codexBinary(version),
        "--upstream",
        upstream,
        "--token",
        TOKEN,
        "--fast-return-ms",
        "4000",
        // codex mcp-server cannot be confined: the owner's explicit choice, shown in the start line.
        ...(upstream === "mcp-server" ? ["--allow-unconfined-codex"] : []),
      ];
      const env = home.env;
      const bridge = await startBridgeProcess({ args: common, env });
      const writer = await startBridgeProcess({
        args: [...common, "--allow-write", "--approval-policy", "on-request"],
        env,
      });
      const client = await connectClient(bridge.url, { token: TOKEN });
      const writeClient = await connectClient(writer.url, { token: TOKEN });
      try {
        assert.match(bridge.startLine, new RegExp(`${version.replaceAll(".", "\\.")} via ${upstream}`));
        assert.match(
          bridge.startLine,
          upstream === "mcp-server" ? /confinement: NONE/ : /confinement: each turn under a permission profile/,
        );
        let threadId = "";

        await t.step("bridge_status names the Codex version and protocol", async () => {
          const status = await call(client, "bridge_status", {});
          assert.equal(status.codex.version, version);
          assert.equal(status.codex.protocol, upstream);
          assert.equal(status.codex.available, true);
        });

        await t.step("codex_read runs a real shell command and returns the file's content", async () => {
          const result = await callToEnd(client, "codex_read", { prompt: "RUN{cat hello.txt}", cwd: clean });
          assert.equal(result.status, "completed", result.message);
          assert.match(result.text, /hello from the root/);
          assert.ok(result.threadId);
          assert.ok(result.progress.commandsStarted >= 1, JSON.stringify(result.progress));
          threadId = result.threadId;
        });

        await t.step("Codex's read-only sandbox blocks a write", async () => {
          const result = await callToEnd(client, "codex_read", { prompt: "RUN{touch blocked.txt}", cwd: clean });
          assert.equal(result.status, "completed", result.message);
          assert.equal(await Deno.stat(join(clean, "blocked.txt")).then(() => true, () => false), false);
        });

        await t.step("codex_reply continues the thread", async () => {
          const result = await callToEnd(client, "codex_reply", { threadId, prompt: "RUN{wc -c hello.txt}" });
          assert.equal(result.status, "completed", result.message);
          assert.equal(result.threadId, threadId);
          assert.match(result.text, /19 hello.txt/);
        });

        await t.step("a slow turn returns running, then completed via codex_job_status", async () => {
          const first = await call(client, "codex_read", { prompt: "DELAY{6000} then answer", cwd: clean });
          assert.equal(first.status, "running", first.message);
          assert.match(first.next, /codex_job_status/);
          const done = await pollUntilDone(client, first.jobId);
          assert.equal(done.status, "completed", done.message);
          assert.match(done.text, /ECHO: DELAY\{6000\} then answer/);
        });

        await t.step(
          "a secret file is hidden from a confined Codex, or refuses the turn of an unconfined one",
          async () => {
            const before = model.requests.length;
            const result = await callToEnd(client, "codex_read", { prompt: "RUN{cat .env; echo done}", cwd: secret });
            if (upstream === "mcp-server") {
              assert.equal(result.isError, true);
              assert.match(result.message, /1 secret file\(s\) under the root/);
              assert.equal(model.requests.length, before, "the model was never asked");
              return;
            }
            assert.equal(result.status, "completed", result.message);
            assert.equal(result.hiddenFiles, 1);
            assert.match(result.text, /Permission denied/);
            assert.doesNotMatch(result.text, /do-not-leak/);
          },
        );

        await t.step("a cwd outside the roots and a symlink pointing out are refused", async () => {
          const before = model.requests.length;
          for (const cwd of [outside, join(clean, "link-out"), join(clean, ".."), `${clean}-evil`]) {
            const result = await call(client, "codex_read", { prompt: "x", cwd });
            assert.equal(result.isError, true, cwd);
          }
          assert.equal(model.requests.length, before);
        });

        await t.step("workspace-write is refused without --allow-write", async () => {
          const result = await call(client, "codex_run", {
            prompt: "RUN{touch made.txt}",
            cwd: clean,
            sandbox: "workspace-write",
          });
          assert.equal(result.isError, true);
          assert.match(result.message, /--allow-write/);
        });

        await t.step("workspace-write lets Codex write when the owner allowed it", async () => {
          const result = await callToEnd(writeClient, "codex_run", {
            prompt: "RUN{touch made.txt}",
            cwd: clean,
            sandbox: "workspace-write",
          });
          assert.equal(result.status, "completed", result.message);
          assert.equal((await Deno.stat(join(clean, "made.txt"))).isFile, true);
        });

        await t.step("an approval request is declined and recorded in the job", async () => {
          const result = await callToEnd(writeClient, "codex_run", {
            prompt: "ESCALATE{touch ../escaped.txt}",
            cwd: clean,
          });
          assert.equal(result.status, "completed", result.message);
          assert.equal(result.progress.approvalsDeclined.length, 1, JSON.stringify(result.progress));
          assert.equal(await Deno.stat(join(base, "escaped.txt")).then(() => true, () => false), false);
        });

        await t.step(
          "a job over its timeout fails with the reason; the thread goes on (app-server) or is refused clearly (mcp-server)",
          async () => {
            const slow = await call(client, "codex_read", {
              prompt: "DELAY{8000} never mind",
              cwd: clean,
              timeoutMs: 2000,
            });
            assert.equal(slow.status, "failed", slow.message);
            assert.match(slow.error, /Timed out after 2000 ms/);
            assert.ok(slow.threadId, "the thread was named before the timeout");
            const reply = await callToEnd(client, "codex_reply", { threadId: slow.threadId, prompt: "still there?" });
            if (upstream === "mcp-server") {
              // The legacy server may never finish a cancelled turn: the bridge refuses rather than hang.
              assert.equal(reply.isError, true);
              assert.match(reply.message, /had a turn interrupted.*start a new one with codex_run/);
              return;
            }
            assert.equal(reply.status, "completed", reply.message);
            assert.match(reply.text, /ECHO: still there\?/);
          },
        );
      } finally {
        await client.close();
        await writeClient.close();
        assert.equal(await bridge.stop(), 0, bridge.stderr());
        assert.equal(await writer.stop(), 0, writer.stderr());
        await model.close();
        await home.remove();
        await Deno.remove(base, { recursive: true });
      }
    },
  });
}
