import assert from "node:assert/strict";
import { join } from "node:path";
import { AUDIT_FILE, AuditLog } from "../../src/audit/audit_log.ts";
import { call } from "../fixtures/bridge_client.ts";
import { setupToolBridge } from "../fixtures/tool_bridge.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "audit-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function lines(path: string) {
  return (await Deno.readTextFile(path)).trim().split("\n").map((line) => JSON.parse(line));
}

Deno.test("each delegation and its outcome are one audit line, with who, where and how, never the prompt", () =>
  withDir(async (dir) => {
    const audit = new AuditLog({ dir });
    const bridge = await setupToolBridge({ audit });
    const client = await bridge.connect();
    try {
      const done = await call(client, "codex_read", { prompt: "the secret is hunter2", requestId: "a-1" });
      assert.equal(done.status, "completed", done.message);
      const [delegation, outcome] = await lines(join(dir, AUDIT_FILE));
      const root = await Deno.realPath(bridge.root);
      assert.equal(delegation.event, "delegation");
      assert.equal(delegation.tool, "codex_read");
      assert.equal(delegation.jobId, done.jobId);
      assert.deepEqual([delegation.root, delegation.cwd, delegation.sandbox], [root, root, "read-only"]);
      assert.equal(delegation.clientId, "bearer-token", "the caller's identity as the auth guard gave it");
      assert.equal(delegation.requestId, "a-1");
      assert.ok(!Number.isNaN(Date.parse(delegation.time)));
      assert.equal(outcome.event, "outcome");
      assert.equal(outcome.status, "completed");
      assert.equal(outcome.threadId, done.threadId);
      assert.equal(typeof outcome.durationMs, "number");
      assert.doesNotMatch(await Deno.readTextFile(join(dir, AUDIT_FILE)), /hunter2/);
      const status = await call(client, "bridge_status", {});
      assert.deepEqual(status.audit, { file: join(dir, AUDIT_FILE), prompts: false });
    } finally {
      await client.close();
      await bridge.cleanup();
    }
  }));

Deno.test("with --audit-prompts the delegation line carries the prompt", () =>
  withDir(async (dir) => {
    const audit = new AuditLog({ dir, prompts: true });
    audit.delegation({ tool: "codex_run", jobId: "j", root: "/r", cwd: "/r", sandbox: "read-only", prompt: "do it" });
    audit.outcome({
      tool: "codex_run",
      jobId: "j",
      root: "/r",
      cwd: "/r",
      sandbox: "read-only",
      status: "failed",
      durationMs: 5,
    });
    const [delegation, outcome] = await lines(join(dir, AUDIT_FILE));
    assert.equal(delegation.prompt, "do it");
    assert.equal(outcome.prompt, undefined);
    assert.equal((await Deno.stat(join(dir, AUDIT_FILE))).mode! & 0o777, 0o600);
  }));

Deno.test("the audit file is rotated by size and only the newest rotated files are kept", () =>
  withDir(async (dir) => {
    const audit = new AuditLog({ dir, maxBytes: 400, keep: 2 });
    const entry = (i: number) => ({
      tool: "codex_read",
      jobId: `job-${i}`,
      root: "/r",
      cwd: "/r",
      sandbox: "read-only",
      status: "completed",
      durationMs: i,
    });
    for (let i = 0; i < 40; i++) audit.outcome(entry(i));
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["audit.1.jsonl", "audit.2.jsonl", "audit.jsonl"]);
    for (const name of names) assert.ok((await Deno.stat(join(dir, name))).size <= 400, name);
    const current = await lines(join(dir, AUDIT_FILE));
    assert.equal(current.at(-1).jobId, "job-39", "the newest line is in the current file");
    const previous = await lines(join(dir, "audit.1.jsonl"));
    assert.equal(
      Number(previous.at(-1).jobId.slice(4)) + 1,
      Number(current[0].jobId.slice(4)),
      "no line lost between files",
    );
    // A restarted bridge appends to the file it finds, and keeps counting its size.
    const again = new AuditLog({ dir, maxBytes: 400, keep: 2 });
    again.outcome(entry(40));
    assert.equal((await lines(join(dir, AUDIT_FILE))).at(-1).jobId, "job-40");
  }));
