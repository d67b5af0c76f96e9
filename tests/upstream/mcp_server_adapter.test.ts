/**
 * McpServerAdapter against the real `codex mcp-server` (Codex 0.153.4) with a
 * scripted model: commands, the sandbox, replies, cancellation, approvals,
 * concurrent turns, a crash, and a clean shutdown.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { UpstreamError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { CodexEventTranslator, displayCommand } from "../../src/upstream/mcp_server_events.ts";
import { McpServerAdapter } from "../../src/upstream/mcp_server_adapter.ts";
import type { UpstreamEvent } from "../../src/upstream/types.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, LEGACY_CODEX } from "../fixtures/codex_versions.ts";
import { startFakeResponsesApi, userText } from "../fixtures/fake_responses_api.ts";
import { processesWithEnv, waitForNoProcesses } from "../fixtures/processes.ts";
import { scriptedModel } from "../fixtures/scripted_model.ts";

/** Collects a turn's events; `turn()` gives the settings a request needs. */
function recorder(cwd: string) {
  const events: UpstreamEvent[] = [];
  const controller = new AbortController();
  return {
    events,
    controller,
    turn: (
      overrides: Partial<{ sandbox: "read-only" | "workspace-write"; approvalPolicy: "never" | "on-request" }> = {},
    ) => ({
      cwd,
      sandbox: "read-only" as const,
      approvalPolicy: "never" as const,
      signal: controller.signal,
      onEvent: (event: UpstreamEvent) => events.push(event),
      ...overrides,
    }),
    kinds: () => events.map((event) => event.kind),
  };
}

/** Resolves once `events` holds one matching `predicate` (polling; bounded). */
async function waitForEvent(events: UpstreamEvent[], predicate: (e: UpstreamEvent) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!events.some(predicate)) {
    if (Date.now() > deadline) throw new Error(`event not seen in ${ms} ms: ${JSON.stringify(events)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("McpServerAdapter drives the real codex mcp-server 0.153.4", async (t) => {
  // A prompt containing MODEL_ERROR makes the model fail; everything else follows the scripted model.
  const model = await startFakeResponsesApi({
    reply: (request) =>
      userText(request.body).includes("MODEL_ERROR")
        ? { status: 500, errorBody: { error: { message: "scripted failure" } } }
        : scriptedModel(request),
  });
  const home = await createCodexHome({ modelBaseUrl: model.baseUrl });
  const cwd = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcp-adapter-" }));
  await Deno.writeTextFile(join(cwd, "hello.txt"), "hello from the root");
  const env = { PATH: Deno.env.get("PATH")!, ...home.env };
  const adapter = new McpServerAdapter({
    codexPath: codexBinary(LEGACY_CODEX),
    version: LEGACY_CODEX,
    env,
    log: silentLogger,
  });
  const codexProcesses = async () =>
    (await processesWithEnv("CODEX_HOME", home.path)).filter((p) => p.cmdline.includes("mcp-server"));

  try {
    await t.step("info() describes the upstream without starting it", async () => {
      const info = await adapter.info();
      assert.deepEqual(info, {
        protocol: "mcp-server",
        binary: codexBinary(LEGACY_CODEX),
        version: LEGACY_CODEX,
        available: true,
        tools: ["codex", "codex-reply"],
        confinement: { supported: false, problem: info.confinement.supported ? "" : info.confinement.problem },
      });
      assert.match(JSON.stringify(info.confinement), /use --upstream app-server/);
      assert.deepEqual(await codexProcesses(), []);
    });

    let readOnlyThread = "";
    await t.step("a scripted `cat hello.txt` runs in the root and is reported", async () => {
      const r = recorder(cwd);
      const result = await adapter.startThread({ ...r.turn(), prompt: "RUN{cat hello.txt}" });
      assert.match(result.text, /hello from the root/);
      assert.deepEqual(r.events[0], { kind: "thread_started", threadId: result.threadId }, "the thread comes first");
      assert.deepEqual(r.events.filter((e) => e.kind.startsWith("command_")), [
        { kind: "command_started", command: "cat hello.txt" },
        { kind: "command_finished", command: "cat hello.txt", exitCode: 0 },
      ]);
      assert.ok(r.events.some((e) => e.kind === "agent_message" && e.text.includes("hello from the root")));
      assert.ok(r.events.some((e) => e.kind === "other" && e.type === "task_complete"));
      assert.equal(r.events.filter((e) => e.kind === "thread_started").length, 1);
    });

    await t.step("the child gets exactly the configured environment", async () => {
      // Our direct child is the npm launcher; it adds a variable or two for the native binary it starts.
      const launcher = (await codexProcesses()).find((p) => p.cmdline.includes(codexBinary(LEGACY_CODEX)));
      assert.ok(launcher, "found the launcher");
      const environ = await Deno.readTextFile(`/proc/${launcher.pid}/environ`);
      const names = environ.split("\0").filter(Boolean).map((entry) => entry.slice(0, entry.indexOf("=")));
      assert.deepEqual(names.sort(), Object.keys(env).sort());
      assert.deepEqual((await adapter.info()).tools, ["codex", "codex-reply"], "listed by the child");
    });

    await t.step("read-only: a scripted `touch x` is blocked by Codex's sandbox", async () => {
      const r = recorder(cwd);
      const result = await adapter.startThread({ ...r.turn(), prompt: "RUN{touch x}" });
      readOnlyThread = result.threadId;
      await assert.rejects(Deno.stat(join(cwd, "x")), Deno.errors.NotFound);
      assert.match(result.text, /Read-only file system/);
      // Codex sends no exec_command_begin for a sandbox-refused command; the raw items still tell.
      const commands = r.events.filter((e) => e.kind.startsWith("command_"));
      assert.deepEqual(commands, [
        { kind: "command_started", command: "touch x" },
        { kind: "command_finished", command: "touch x", exitCode: 1 },
      ]);
    });

    await t.step("continueThread() replies on that thread, in its sandbox", async () => {
      const r = recorder(cwd);
      const result = await adapter.continueThread({ ...r.turn(), threadId: readOnlyThread, prompt: "RUN{touch y}" });
      assert.equal(result.threadId, readOnlyThread);
      assert.match(result.text, /Read-only file system/);
      await assert.rejects(Deno.stat(join(cwd, "y")), Deno.errors.NotFound);
      assert.ok(!r.kinds().includes("thread_started"), "a reply starts no thread");
      const again = await adapter.continueThread({
        ...recorder(cwd).turn(),
        threadId: readOnlyThread,
        prompt: "again",
      });
      assert.match(again.text, /ECHO: again/);
    });

    await t.step("concurrent turns each get their own events", async () => {
      const one = recorder(cwd);
      const two = recorder(cwd);
      const [a, b] = await Promise.all([
        adapter.startThread({ ...one.turn(), prompt: "RUN{echo one-marker}" }),
        adapter.startThread({ ...two.turn(), prompt: "RUN{echo two-marker}" }),
      ]);
      assert.notEqual(a.threadId, b.threadId);
      assert.match(a.text, /one-marker/);
      assert.match(b.text, /two-marker/);
      const commands = (events: UpstreamEvent[]) =>
        events.flatMap((e) => e.kind === "command_started" ? [e.command] : []);
      assert.deepEqual(commands(one.events), ["echo one-marker"]);
      assert.deepEqual(commands(two.events), ["echo two-marker"]);
      assert.deepEqual(one.events[0], { kind: "thread_started", threadId: a.threadId });
      assert.deepEqual(two.events[0], { kind: "thread_started", threadId: b.threadId });
    });

    await t.step("an approval request is denied and reported as approval_declined", async () => {
      const r = recorder(cwd);
      const target = join(cwd, "escalated");
      const result = await adapter.startThread({
        ...r.turn({ approvalPolicy: "on-request" }),
        prompt: `ESCALATE{touch ${target}}`,
      });
      await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
      assert.deepEqual(r.events.filter((e) => e.kind === "approval_declined"), [
        { kind: "approval_declined", request: `touch ${target}` },
      ]);
      assert.ok(!r.kinds().includes("command_started"), "the declined command never ran");
      // The model saw our reason: Codex parsed the denial itself rather than falling back on a parse error.
      assert.match(result.text, /Rejected\(.*codex-gpt-bridge declines every approval request/);
    });

    await t.step("a model failure rejects with Codex's text", async () => {
      await assert.rejects(
        adapter.startThread({ ...recorder(cwd).turn(), prompt: "MODEL_ERROR please" }),
        (error: Error) => error instanceof UpstreamError && /^Codex failed: \S/.test(error.message),
      );
    });

    await t.step("aborting a turn rejects with the reason, and Codex stays usable", async () => {
      const r = recorder(cwd);
      const pending = adapter.startThread({ ...r.turn(), prompt: "DELAY{20000} slow" });
      await waitForEvent(r.events, (e) => e.kind === "thread_started");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      r.controller.abort(new UpstreamError("Job timed out after 1 s"));
      await assert.rejects(
        pending,
        (error: Error) => error instanceof UpstreamError && error.message === "Job timed out after 1 s",
      );
      assert.ok(Date.now() - started < 2000, "rejects at once");

      const after = await adapter.startThread({ ...recorder(cwd).turn(), prompt: "after abort" });
      assert.match(after.text, /ECHO: after abort/);
      // A plain abort() carries a DOMException: its message still names what happened.
      const plain = recorder(cwd);
      plain.controller.abort();
      await assert.rejects(adapter.startThread({ ...plain.turn(), prompt: "never" }), UpstreamError);

      const threadId = (r.events[0] as { threadId: string }).threadId;
      await assert.rejects(
        adapter.continueThread({ ...recorder(cwd).turn(), threadId, prompt: "reply" }),
        /had a turn interrupted.*codex_run/,
      );
    });

    await t.step("killing the child fails the running turn; the next call starts a new one", async () => {
      const r = recorder(cwd);
      const pending = adapter.startThread({ ...r.turn(), prompt: "DELAY{20000} doomed" });
      await waitForEvent(r.events, (e) => e.kind === "thread_started");
      const before = await codexProcesses();
      assert.ok(before.length >= 1, "found the Codex child");
      for (const child of before) Deno.kill(child.pid, "SIGKILL");
      await assert.rejects(
        pending,
        (error: Error) =>
          error instanceof UpstreamError &&
          /exited unexpectedly \((signal SIGKILL|exit code \d+)\).*next request starts Codex again/.test(error.message),
      );

      const after = await adapter.startThread({ ...recorder(cwd).turn(), prompt: "after crash" });
      assert.match(after.text, /ECHO: after crash/);
      await assert.rejects(
        adapter.continueThread({ ...recorder(cwd).turn(), threadId: readOnlyThread, prompt: "lost?" }),
        /lost when Codex restarted.*codex_run.*Session not found/,
      );
    });

    await t.step("close() stops a busy Codex at once, leaves no process, and later calls are refused", async () => {
      const r = recorder(cwd);
      const running = adapter.startThread({ ...r.turn(), prompt: "DELAY{20000} cut short" });
      await waitForEvent(r.events, (e) => e.kind === "thread_started");
      const started = Date.now();
      await adapter.close();
      assert.ok(Date.now() - started < 1500, `close() took ${Date.now() - started} ms`);
      await assert.rejects(running, /stopped because the bridge is shutting down/);
      assert.deepEqual(await waitForNoProcesses("CODEX_HOME", home.path, 2000), []);
      await assert.rejects(adapter.startThread({ ...recorder(cwd).turn(), prompt: "late" }), /closed/);
      await adapter.close(); // twice is fine
    });
  } finally {
    await adapter.close();
    await waitForNoProcesses("CODEX_HOME", home.path);
    await model.close();
    await home.remove();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("McpServerAdapter reports a missing binary as unavailable", async () => {
  const adapter = new McpServerAdapter({
    codexPath: "/nonexistent/codex",
    env: { PATH: "/usr/bin:/bin" },
    log: silentLogger,
  });
  const cwd = Deno.cwd();
  await assert.rejects(
    adapter.startThread({ ...recorder(cwd).turn(), prompt: "hi" }),
    /Codex CLI not found at "\/nonexistent\/codex"; install it/,
  );
  const info = await adapter.info();
  assert.equal(info.available, false);
  assert.match(info.problem!, /not found/);
  await adapter.close();
});

Deno.test("McpServerAdapter explains a binary that has no mcp-server", async () => {
  const home = await createCodexHome({ modelBaseUrl: "http://127.0.0.1:9/v1" });
  const adapter = new McpServerAdapter({
    codexPath: codexBinary("0.169.0"),
    env: { PATH: Deno.env.get("PATH")!, ...home.env },
    log: silentLogger,
  });
  try {
    await assert.rejects(
      adapter.startThread({ ...recorder(Deno.cwd()).turn(), prompt: "hi" }),
      /Cannot start ".*mcp-server": it exited during start-up \(exit code \d+\).*--upstream app-server/,
    );
    const info = await adapter.info();
    assert.equal(info.available, false);
    assert.match(info.problem!, /exited during start-up.*--upstream app-server/);
  } finally {
    await adapter.close();
    await home.remove();
  }
});

Deno.test("CodexEventTranslator maps Codex events and closes open commands", () => {
  const events: UpstreamEvent[] = [];
  const translator = new CodexEventTranslator((event) => events.push(event));
  translator.translate({ type: "exec_command_begin", call_id: "a", command: ["/bin/bash", "-lc", "sleep 9"] });
  translator.translate({ type: "agent_reasoning", text: "hmm" });
  translator.translate({ type: "patch_apply_begin", call_id: "p", changes: { "/r/a.ts": {}, "/r/b.ts": {} } });
  translator.translate({ type: "agent_message_delta", delta: "x" });
  translator.translate({ type: "token_count" });
  translator.translate({ type: "turn_aborted", reason: "interrupted" });
  translator.finish();
  assert.deepEqual(events, [
    { kind: "command_started", command: "sleep 9" },
    { kind: "reasoning" },
    { kind: "file_change", paths: ["/r/a.ts", "/r/b.ts"] },
    { kind: "other", type: "turn_aborted" },
    { kind: "command_finished", command: "sleep 9" },
  ]);
  assert.equal(displayCommand(["git", "status"]), "git status");
  assert.equal(displayCommand(["/usr/bin/zsh", "-c", "ls -a"]), "ls -a");
});
