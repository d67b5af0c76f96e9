/**
 * The five tools through the real HTTP handler and MCP server, in both
 * protocol eras, against the in-process fake upstream (no Codex, no socket).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { abortableDelay, FakeUpstream } from "../fixtures/fake_upstream.ts";
import { BRIDGE_TOOLS, ERAS, structured, textOf } from "../fixtures/bridge_client.ts";
import { setupToolBridge as setup } from "../fixtures/tool_bridge.ts";

for (const era of ERAS) {
  Deno.test(`[${era}] tools/list shows the seven tools with schemas and explicit annotations`, async () => {
    const bridge = await setup();
    const client = await bridge.connect(era);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), BRIDGE_TOOLS);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, "object", tool.name);
        assert.equal(tool.outputSchema?.type, "object", tool.name);
        for (const hint of ["readOnlyHint", "destructiveHint", "openWorldHint"] as const) {
          assert.equal(typeof tool.annotations?.[hint], "boolean", `${tool.name}.${hint}`);
        }
      }
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      assert.equal(byName.codex_read.annotations?.readOnlyHint, true);
      assert.equal(byName.codex_run.annotations?.readOnlyHint, true, "read-only without --allow-write");
      assert.equal(byName.codex_run.annotations?.destructiveHint, false);
      assert.deepEqual(
        { ...byName.codex_cancel.annotations },
        { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      );
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] codex_read runs read-only in the single root and returns the answer`, async () => {
    const bridge = await setup();
    const client = await bridge.connect(era);
    try {
      const result = await client.callTool({ name: "codex_read", arguments: { prompt: "explain" } });
      assert.equal(result.isError, false, textOf(result));
      const out = structured(result);
      assert.equal(out.status, "completed");
      assert.equal(out.text, "echo: explain");
      assert.equal(out.threadId, "thread-1");
      assert.deepEqual(JSON.parse(textOf(result)), out, "text mirrors structuredContent");
      const call = bridge.upstream.calls[0];
      assert.equal(call.request.sandbox, "read-only");
      assert.equal(call.request.approvalPolicy, "never");
      assert.equal(call.request.cwd, await Deno.realPath(bridge.root));
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] codex_run refuses workspace-write without --allow-write and danger-full-access always`, async () => {
    const bridge = await setup();
    const client = await bridge.connect(era);
    try {
      for (const sandbox of ["workspace-write", "danger-full-access", " Danger-Full-Access "]) {
        const result = await client.callTool({ name: "codex_run", arguments: { prompt: "x", sandbox } });
        assert.equal(result.isError, true, sandbox);
      }
      assert.equal(bridge.upstream.calls.length, 0, "no Codex job started");
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] codex_run allows workspace-write when the owner allowed write`, async () => {
    const bridge = await setup({ policy: { allowWrite: true } });
    const client = await bridge.connect(era);
    try {
      const { tools } = await client.listTools();
      const run = tools.find((t) => t.name === "codex_run")!;
      assert.equal(run.annotations?.destructiveHint, true);
      assert.equal(run.annotations?.readOnlyHint, false);
      const result = await client.callTool({
        name: "codex_run",
        arguments: { prompt: "edit", sandbox: "workspace-write", cwd: "sub" },
      });
      assert.equal(structured(result).status, "completed", textOf(result));
      assert.equal(bridge.upstream.calls[0].request.sandbox, "workspace-write");
      assert.equal(bridge.upstream.calls[0].request.cwd, await Deno.realPath(join(bridge.root, "sub")));
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] a slow job returns running with a jobId, then completed via codex_job_status`, async () => {
    const bridge = await setup({
      policy: { fastReturnMs: 50 },
      script: async (call) => {
        call.request.onEvent({ kind: "thread_started", threadId: "slow-thread" });
        call.request.onEvent({ kind: "command_started", command: "sleep 1" });
        await abortableDelay(300, call.request.signal);
        return { threadId: "slow-thread", text: "finally" };
      },
    });
    const client = await bridge.connect(era);
    try {
      const first = structured(await client.callTool({ name: "codex_read", arguments: { prompt: "slow" } }));
      assert.equal(first.status, "running");
      assert.ok(first.next.includes(`codex_job_status with {"jobId":"${first.jobId}","waitMs":20000}`), first.next);
      assert.equal(first.progress.lastCommand, "sleep 1");
      const busy = await client.callTool({
        name: "codex_reply",
        arguments: { threadId: "slow-thread", prompt: "meanwhile" },
      });
      assert.equal(busy.isError, true);
      assert.match(textOf(busy), new RegExp(`Thread busy.*${first.jobId}`));
      let status;
      for (let i = 0; i < 50; i++) {
        status = structured(await client.callTool({ name: "codex_job_status", arguments: { jobId: first.jobId } }));
        if (status.status !== "running") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(status.status, "completed");
      assert.equal(status.text, "finally");
      // Once the first job is done the thread takes a reply again (slow too, so still running here).
      const reply = await client.callTool({
        name: "codex_reply",
        arguments: { threadId: "slow-thread", prompt: "more" },
      });
      assert.equal(reply.isError, false, textOf(reply));
      assert.equal(structured(reply).status, "running");
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] codex_reply keeps the thread's cwd and sandbox and refuses unknown threads`, async () => {
    const bridge = await setup({ policy: { allowWrite: true } });
    const client = await bridge.connect(era);
    try {
      const first = structured(
        await client.callTool({ name: "codex_run", arguments: { prompt: "a", cwd: "sub", sandbox: "read-only" } }),
      );
      const reply = await client.callTool({
        name: "codex_reply",
        arguments: { threadId: first.threadId, prompt: "b" },
      });
      assert.equal(structured(reply).status, "completed");
      const call = bridge.upstream.calls[1];
      assert.equal(call.kind, "continue");
      assert.equal(call.request.sandbox, "read-only");
      assert.equal(call.request.cwd, await Deno.realPath(join(bridge.root, "sub")));
      const unknown = await client.callTool({ name: "codex_reply", arguments: { threadId: "nope", prompt: "b" } });
      assert.equal(unknown.isError, true);
      assert.match(textOf(unknown), /Unknown threadId "nope"/);
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] secret files are hidden from Codex, counted, never named`, async () => {
    const bridge = await setup();
    const client = await bridge.connect(era);
    try {
      await Deno.writeTextFile(join(bridge.root, "sub", ".env"), "SECRET=1");
      const result = await client.callTool({ name: "codex_read", arguments: { prompt: "x", cwd: "sub" } });
      assert.equal(result.isError, false, textOf(result));
      assert.equal(structured(result).hiddenFiles, 1);
      assert.doesNotMatch(JSON.stringify(result), /\.env/, "the result never names a hidden file");
      const [call] = bridge.upstream.calls;
      const real = await Deno.realPath(bridge.root);
      // The whole root is covered, not just the cwd: `cat ../.env` from a subfolder meets the same wall.
      assert.deepEqual(call.request.confinement?.readable.slice(0, 1), [real]);
      assert.ok(call.request.confinement?.hidden.includes(join(real, "sub", ".env")));
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] a Codex that cannot be confined is refused unless the owner allowed it`, async () => {
    const unconfined = (upstream: FakeUpstream) =>
      Object.assign(upstream, {
        info: async () => ({
          ...(await FakeUpstream.prototype.info.call(upstream)),
          confinement: { supported: false, problem: "Codex 0.1.0 is too old" },
        }),
      });
    for (const allowUnconfined of [false, true]) {
      const bridge = await setup({ policy: { allowUnconfined } });
      unconfined(bridge.upstream);
      const client = await bridge.connect(era);
      try {
        const clean = await client.callTool({ name: "codex_read", arguments: { prompt: "x" } });
        if (!allowUnconfined) {
          assert.equal(clean.isError, true);
          assert.match(textOf(clean), /Codex 0\.1\.0 is too old.*--allow-unconfined-codex/);
          assert.equal(bridge.upstream.calls.length, 0);
          continue;
        }
        assert.equal(clean.isError, false, textOf(clean));
        assert.equal(bridge.upstream.calls[0].request.confinement, undefined);
        await Deno.writeTextFile(join(bridge.root, ".env"), "SECRET=1");
        // An unconfined Codex could read any secret in the root, whatever the cwd: refused, no narrower-cwd advice.
        const secret = await client.callTool({ name: "codex_read", arguments: { prompt: "x", cwd: "sub" } });
        assert.equal(secret.isError, true);
        assert.match(textOf(secret), /1 secret file\(s\) under the root/);
        assert.doesNotMatch(textOf(secret), /narrower/);
        assert.equal(bridge.upstream.calls.length, 1);
      } finally {
        await client.close();
        await bridge.cleanup();
      }
    }
  });

  Deno.test(`[${era}] root escapes are refused before Codex starts`, async () => {
    const bridge = await setup();
    const client = await bridge.connect(era);
    try {
      for (const cwd of ["..", "/", bridge.base, `${bridge.root}-evil`, "a\0b"]) {
        const escape = await client.callTool({ name: "codex_read", arguments: { prompt: "x", cwd } });
        assert.equal(escape.isError, true, cwd);
      }
      assert.equal(bridge.upstream.calls.length, 0, "no Codex job started");
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] a symlink swapped after the check cannot redirect Codex`, async () => {
    let swap = () => {};
    const bridge = await setup({
      script: () => {
        swap(); // the attacker swaps the link between the policy check and Codex's start
        return { threadId: "t", text: "ok" };
      },
    });
    const client = await bridge.connect(era);
    try {
      const link = join(bridge.root, "link");
      await Deno.symlink(join(bridge.root, "sub"), link);
      swap = () => {
        Deno.removeSync(link);
        Deno.symlinkSync(bridge.base, link);
      };
      const result = await client.callTool({ name: "codex_read", arguments: { prompt: "x", cwd: "link" } });
      assert.equal(structured(result).status, "completed", textOf(result));
      // Codex was given the resolved directory, never the name that now points outside.
      assert.equal(bridge.upstream.calls[0].request.cwd, await Deno.realPath(join(bridge.root, "sub")));
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] codex_job_status explains an unknown jobId and failed jobs carry the reason`, async () => {
    const bridge = await setup({
      script: () => Promise.reject(new Error("Codex exited with code 1: model unreachable")),
    });
    const client = await bridge.connect(era);
    try {
      const unknown = await client.callTool({ name: "codex_job_status", arguments: { jobId: "no-such-job" } });
      assert.equal(unknown.isError, true);
      assert.match(textOf(unknown), /Unknown jobId "no-such-job"/);
      const failed = await client.callTool({ name: "codex_read", arguments: { prompt: "x" } });
      assert.equal(failed.isError, true);
      assert.equal(structured(failed).status, "failed");
      assert.match(structured(failed).error, /model unreachable/);
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });

  Deno.test(`[${era}] bridge_status reports roots, policy, Codex and job counts`, async () => {
    const bridge = await setup({ roots: 2 });
    const client = await bridge.connect(era);
    try {
      const status = structured(await client.callTool({ name: "bridge_status", arguments: {} }));
      assert.equal(status.roots.length, 2);
      assert.equal(status.defaultCwd, null);
      assert.equal(status.defaultSandbox, "read-only");
      assert.deepEqual(status.sandboxChoices, ["read-only"]);
      assert.equal(status.allowWrite, false);
      assert.equal(status.approvalPolicy, "never");
      assert.equal(status.auth, "bearer-token");
      assert.equal(status.codex.version, "0.0.0-fake");
      assert.deepEqual(status.jobs, {
        running: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
        interrupted: 0,
        maxRunning: 4,
      });
      const noCwd = await client.callTool({ name: "codex_read", arguments: { prompt: "x" } });
      assert.equal(noCwd.isError, true, "cwd is required with several roots");
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  });
}
