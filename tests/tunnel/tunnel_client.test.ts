/**
 * The tunnel client against the fake control plane on 127.0.0.1, dispatching
 * into the bridge's real MCP handler (the HTTP endpoint's) over the
 * in-process fake Codex. Each test checks, through the fake, that every
 * request carried the key and client headers and every response its shard
 * token.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { createHttpHandler } from "../../src/http/handler.ts";
import { createAuthGuard } from "../../src/http/auth.ts";
import { createHostOriginGuard } from "../../src/http/host_origin.ts";
import { createBridgeServer } from "../../src/mcp/server.ts";
import { BridgeService } from "../../src/service/bridge_service.ts";
import { JobRegistry } from "../../src/jobs/job_registry.ts";
import { ThreadRegistry } from "../../src/jobs/thread_registry.ts";
import { resolveRoots } from "../../src/policy/roots.ts";
import { SecretScanner } from "../../src/policy/secrets.ts";
import { createLogger } from "../../src/log.ts";
import { createDispatcher, type McpFetch } from "../../src/tunnel/dispatch.ts";
import { type RetryPolicy, TunnelClient } from "../../src/tunnel/client.ts";
import { abortableDelay, type FakeScript, FakeUpstream } from "../fixtures/fake_upstream.ts";
import { type FakeCommand, startFakeControlPlane } from "../fixtures/fake_control_plane.ts";

import { BRIDGE_TOOLS, connectClient, ERAS, structured } from "../fixtures/bridge_client.ts";

const FAST_RETRY: Partial<RetryPolicy> = { initialMs: 20, maxMs: 200, jitter: 0.1, operatorRetryMs: 400 };

/** A script whose turns take the milliseconds written in the prompt as `SLOW{ms}`. */
const sleepyScript: FakeScript = async (call) => {
  const ms = Number(/SLOW\{(\d+)\}/.exec(call.request.prompt)?.[1] ?? 0);
  if (ms) await abortableDelay(ms, call.request.signal);
  return { threadId: `thread-${call.request.prompt}`, text: `echo: ${call.request.prompt}` };
};

interface SetupOptions {
  retry?: Partial<RetryPolicy>;
  mcp?: McpFetch;
  fastReturnMs?: number;
  /** Scripts the fake before the client's first request. */
  before?: (plane: ReturnType<typeof startFakeControlPlane>) => void;
}

async function setup(options: SetupOptions = {}) {
  const base = await Deno.makeTempDir({ prefix: "bridge-tunnel-" });
  const root = join(base, "root");
  await Deno.mkdir(root);
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
  const upstream = new FakeUpstream(sleepyScript);
  const jobs = new JobRegistry();
  const service = new BridgeService({
    roots: await resolveRoots([root]),
    policy: {
      allowWrite: false,
      approvalPolicy: "never",
      fastReturnMs: options.fastReturnMs ?? 20_000,
      timeoutMs: 60_000,
      secretScan: true,
      allowUnconfined: false,
    },
    upstream,
    jobs,
    threads: new ThreadRegistry(),
    secrets: new SecretScanner(),
    log,
  });
  const http = createHttpHandler({
    serverFactory: () => createBridgeServer(service, { allowWrite: false }),
    hostOrigin: createHostOriginGuard({ allowedHosts: [] }),
    auth: createAuthGuard({ kind: "token", token: "local-token-0123456789", generated: false }),
    log,
  });
  const plane = startFakeControlPlane();
  options.before?.(plane);
  const client = new TunnelClient({
    baseUrl: plane.baseUrl,
    tunnelId: plane.tunnelId,
    apiKey: plane.apiKey,
    dispatch: createDispatcher({ mcp: options.mcp ?? http.mcp, log }),
    log,
    pollTimeoutMs: 1000,
    retry: { ...FAST_RETRY, ...options.retry },
  });
  client.start();
  return {
    plane,
    client,
    upstream,
    lines,
    async cleanup() {
      await client.stop(2000);
      await jobs.abortAll("test over");
      await http.close();
      await plane.close();
      await Deno.remove(base, { recursive: true });
      assert.deepEqual(plane.violations, [], "every request followed the contract");
      assert.doesNotMatch(lines.join("\n"), new RegExp(plane.apiKey), "the API key is never logged");
    },
  };
}

const rpc = (id: string | number, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});
const readCall = (id: string | number, prompt: string) =>
  rpc(id, "tools/call", { name: "codex_read", arguments: { prompt } });
const command = (requestId: string, jsonrpc: unknown, extra: Partial<FakeCommand> = {}): FakeCommand => ({
  request_id: requestId,
  command_type: "jsonrpc",
  response_timeout: "30s",
  headers: { "Mcp-Protocol-Version": ["2025-11-25"] },
  jsonrpc,
  ...extra,
});
const terminal = (r: { body: { resp_type: string } }) => r.body.resp_type !== "jsonrpc_notify";

Deno.test("one poll carrying 25 commands gets 25 answers, each with its own id, channel and shard token", async () => {
  const t = await setup();
  try {
    const commands = Array.from(
      { length: 25 },
      (_, i) =>
        command(`req-${i}`, rpc(i % 2 ? i : `rpc-${i}`, "tools/list"), { channel: i === 3 ? "other" : undefined }),
    );
    t.plane.enqueue(...commands);
    await t.plane.until(() => t.plane.responses.length >= 25);
    for (let i = 0; i < 25; i++) {
      const [response] = t.plane.responsesFor(`req-${i}`);
      assert.equal(response.body.resp_type, "jsonrpc_response");
      assert.equal(response.body.resp_code, 200);
      assert.equal(response.body.resp_json.id, i % 2 ? i : `rpc-${i}`, "JSON-RPC id preserved, type too");
      assert.equal(response.body.channel, i === 3 ? "other" : "main");
      assert.deepEqual(
        response.body.resp_json.result.tools.map((tool: { name: string }) => tool.name).sort(),
        BRIDGE_TOOLS,
      );
    }
    const first = t.plane.polls[0];
    assert.equal(first.limit, "16", "asks for no more than its free workers");
    await t.plane.until(() => t.client.status().commandsServed === 25);
    assert.deepEqual([...t.plane.serverInfos], ['{"version":1,"channels":[{"name":"main","proc_affinity":true}]}']);
    assert.equal(t.client.status().connected, true);
  } finally {
    await t.cleanup();
  }
});

Deno.test("concurrent slow calls are answered out of order, each as soon as it is done", async () => {
  const t = await setup();
  try {
    t.plane.enqueue(
      command("slow", readCall(1, "SLOW{1500} slow one")),
      command("fast", readCall(2, "SLOW{50} fast one")),
      command("list", rpc(3, "tools/list")),
    );
    await t.plane.until(() => t.plane.responses.length >= 3);
    const order = t.plane.responses.map((r) => r.body.request_id);
    assert.deepEqual(order.slice(-1), ["slow"], "the slow call does not hold the others back");
    const slow = t.plane.responsesFor("slow")[0].body.resp_json;
    assert.equal(slow.id, 1);
    assert.equal(slow.result.structuredContent.status, "completed");
    assert.equal(slow.result.structuredContent.text, "echo: SLOW{1500} slow one");
    assert.equal(
      t.plane.responsesFor("fast")[0].body.resp_json.result.structuredContent.text,
      "echo: SLOW{50} fast one",
    );
  } finally {
    await t.cleanup();
  }
});

Deno.test("a tool call slower than its response_timeout comes back as running with a jobId before the deadline", async () => {
  const t = await setup();
  try {
    const enqueued = performance.now();
    t.plane.enqueue(command("slow", readCall(1, "SLOW{20000} long task"), { response_timeout: "6s" }));
    await t.plane.until(() => t.plane.responses.length >= 1, 10_000);
    const [response] = t.plane.responsesFor("slow");
    assert.ok(response.at - enqueued < 6000, `answered after ${Math.round(response.at - enqueued)} ms`);
    const out = response.body.resp_json.result.structuredContent;
    assert.equal(out.status, "running");
    assert.match(out.jobId, /\S/);
  } finally {
    await t.cleanup();
  }
});

/**
 * A test MCP server whose `count` tool reports progress twice, then waits
 * `waitMs` (the bridge's own tools do not stream).
 */
function progressHandler() {
  return createMcpHandler(() => {
    const server = new McpServer({ name: "progress-test", version: "1.0.0" });
    server.registerTool("count", { inputSchema: z.object({ waitMs: z.number().optional() }) }, async (args, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken;
      for (const progress of [1, 2]) {
        await ctx.mcpReq.notify({
          method: "notifications/progress",
          params: { progressToken: token!, progress, total: 2 },
        });
      }
      if (args.waitMs) await new Promise((resolve) => setTimeout(resolve, args.waitMs));
      return { content: [{ type: "text", text: "counted" }] };
    });
    return server;
  });
}
const countCall = (id: string, args: Record<string, unknown> = {}) =>
  rpc(id, "tools/call", { name: "count", arguments: args, _meta: { progressToken: "tok" } });

Deno.test("notifications a request emits go as jsonrpc_notify before its terminal jsonrpc_response", async () => {
  const mcp = progressHandler();
  const t = await setup({ mcp: mcp.fetch });
  try {
    t.plane.enqueue(command("p", countCall("c1")));
    await t.plane.until(() => t.plane.responsesFor("p").some(terminal));
    const posted = t.plane.responsesFor("p");
    assert.deepEqual(posted.map((r) => r.body.resp_type), ["jsonrpc_notify", "jsonrpc_notify", "jsonrpc_response"]);
    assert.deepEqual(posted.slice(0, 2).map((r) => r.body.resp_json.params.progress), [1, 2]);
    assert.equal(posted[2].body.resp_json.id, "c1");
    assert.equal(posted[2].body.resp_json.result.content[0].text, "counted");
    assert.equal(new Set(posted.map((r) => r.shardToken)).size, 1, "every POST carries the command's shard token");
  } finally {
    await t.cleanup();
    await mcp.close();
  }
});

Deno.test("a JSON-RPC notification is acknowledged with notify_ack and no payload", async () => {
  const t = await setup();
  try {
    t.plane.enqueue(command("n", { jsonrpc: "2.0", method: "notifications/initialized" }));
    await t.plane.until(() => t.plane.responses.length >= 1);
    const [ack] = t.plane.responsesFor("n");
    assert.equal(ack.body.resp_type, "notify_ack");
    assert.equal(ack.body.resp_json, undefined);
    assert.equal(ack.body.resp_code, 202);
  } finally {
    await t.cleanup();
  }
});

Deno.test("an MCP error keeps its id and code; an unknown method is not turned into -32603", async () => {
  const t = await setup();
  try {
    t.plane.enqueue(command("e", rpc(7, "no/such/method")));
    await t.plane.until(() => t.plane.responses.length >= 1);
    const [response] = t.plane.responsesFor("e");
    assert.equal(response.body.resp_type, "jsonrpc_response");
    assert.equal(response.body.resp_json.id, 7);
    assert.equal(response.body.resp_json.error.code, -32601);
  } finally {
    await t.cleanup();
  }
});

Deno.test("an already-expired command is dropped unseen while a live one in the same poll is answered", async () => {
  const t = await setup();
  try {
    t.plane.enqueue(
      command("expired", readCall(1, "never run"), { response_timeout: "0s" }),
      command("live", readCall(2, "do run"), { response_timeout: "30s" }),
    );
    await t.plane.until(() => t.plane.responses.length >= 1);
    // Another round trip: anything the expired command might have posted would have come by now.
    t.plane.enqueue(command("after", rpc(3, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("after").length >= 1);
    assert.deepEqual(t.plane.responsesFor("expired"), [], "nothing posted for the expired command");
    assert.equal(t.plane.responsesFor("live")[0].body.resp_json.result.structuredContent.text, "echo: do run");
    assert.deepEqual(t.upstream.calls.map((c) => c.request.prompt), ["do run"], "Codex never saw the expired one");
  } finally {
    await t.cleanup();
  }
});

Deno.test("session_termination is answered with session_termination_response and no payload", async () => {
  const t = await setup();
  try {
    t.plane.enqueue({
      request_id: "end",
      command_type: "session_termination",
      headers: { "Mcp-Session-Id": ["session-1"] },
    });
    await t.plane.until(() => t.plane.responses.length >= 1);
    const [response] = t.plane.responsesFor("end");
    assert.equal(response.body.resp_type, "session_termination_response");
    assert.equal(response.body.resp_code, 204);
    assert.equal(response.body.resp_json, undefined);
  } finally {
    await t.cleanup();
  }
});

Deno.test("an unknown command type is logged with its request_id and skipped, and polling goes on", async () => {
  const t = await setup();
  try {
    t.plane.enqueue(
      { request_id: "future-1", command_type: "teleport", jsonrpc: rpc(1, "tools/list") },
      { request_id: "broken", shard_token: "", jsonrpc: rpc(9, "tools/list") }, // shard_token must not be empty
      command("known", rpc(2, "tools/list")),
    );
    await t.plane.until(() => t.plane.responsesFor("known").length >= 1);
    t.plane.enqueue(command("later", rpc(3, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("later").length >= 1);
    assert.deepEqual(t.plane.responsesFor("future-1"), [], "never treated as JSON-RPC");
    const lines = t.lines.map((l) => JSON.parse(l));
    assert.equal(lines.find((l) => l.requestId === "future-1")?.commandType, "teleport");
    assert.match(lines.find((l) => l.requestId === "broken")?.msg, /malformed, skipped/);
    assert.deepEqual(t.plane.responsesFor("broken"), [], "a command without a shard token cannot be answered");
  } finally {
    await t.cleanup();
  }
});

Deno.test("a 429 with Retry-After delays the next poll by at least that long, then polling resumes", async () => {
  const t = await setup();
  try {
    t.plane.failPolls({ status: 429, headers: { "retry-after": "1" } });
    t.plane.enqueue(command("after-429", rpc(1, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("after-429").length >= 1);
    const i = t.plane.polls.findIndex((p) => p.status === 429);
    const gap = t.plane.polls[i + 1].at - t.plane.polls[i].at;
    assert.ok(gap >= 950, `next poll after ${Math.round(gap)} ms, Retry-After said 1 s`);
  } finally {
    await t.cleanup();
  }
});

Deno.test("5xx polls back off exponentially and recover; a terminal POST answered 503 is retried", async () => {
  const t = await setup({ retry: { initialMs: 40, factor: 2, maxMs: 1000, jitter: 0 } });
  try {
    t.plane.failPolls({ status: 503 }, { status: 500 }, { status: 502 });
    t.plane.failResponses("r", { status: 503 });
    t.plane.enqueue(command("r", rpc(1, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("r").some((r) => r.status === 200));
    const failed = t.plane.polls.slice(0, 4);
    assert.deepEqual(failed.map((p) => p.status), [503, 500, 502, 200]);
    const gaps = [1, 2, 3].map((i) => failed[i].at - failed[i - 1].at);
    for (const [i, expected] of [40, 80, 160].entries()) {
      assert.ok(gaps[i] >= expected - 5, `gap ${i} was ${Math.round(gaps[i])} ms, backoff ${expected} ms`);
    }
    assert.deepEqual(t.plane.responsesFor("r").map((r) => r.status), [503, 200], "retried with the same body");
    assert.equal(t.client.status().state, "connected");
  } finally {
    await t.cleanup();
  }
});

Deno.test("a 401 stops the tunnel with one clear line and no tight loop, and a fixed key recovers", async () => {
  const t = await setup();
  try {
    t.plane.refuse(401);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const refusedPolls = t.plane.polls.filter((p) => p.status === 401).length;
    assert.ok(refusedPolls >= 1 && refusedPolls <= 5, `${refusedPolls} polls in 1.3 s with a 400 ms operator retry`);
    const status = t.client.status();
    assert.equal(status.state, "refused");
    assert.equal(status.connected, false);
    assert.match(status.lastError!, /refused the API key \(HTTP 401\)/);
    const errors = t.lines.map((l) => JSON.parse(l)).filter((l) => l.level === "error");
    assert.equal(errors.length, 1, "one line, not one per retry");
    assert.match(errors[0].msg, /tunnel stopped: .*CONTROL_PLANE_API_KEY/);
    // Positive control: once the key is accepted again, the tunnel serves.
    t.plane.refuse(undefined);
    t.plane.enqueue(command("ok", rpc(1, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("ok").length >= 1);
    assert.equal(t.client.status().state, "connected");
  } finally {
    t.plane.refuse(undefined);
    await t.cleanup();
  }
});

Deno.test("a 404 on a response means already fulfilled: no retry, no replay of the call", async () => {
  const t = await setup();
  try {
    t.plane.failResponses("done", { status: 404 });
    t.plane.enqueue(command("done", readCall(1, "once only")));
    await t.plane.until(() => t.plane.responses.length >= 1);
    t.plane.enqueue(command("next", rpc(2, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("next").length >= 1);
    await t.plane.until(() => t.client.status().commandsServed === 2);
    assert.deepEqual(t.plane.responsesFor("done").map((r) => r.status), [404]);
    assert.equal(t.upstream.calls.length, 1);
  } finally {
    await t.cleanup();
  }
});

Deno.test("the control plane restarting means backoff while it is down, then recovery", async () => {
  const t = await setup({ retry: { initialMs: 50, maxMs: 300 } });
  try {
    await t.plane.until(() => t.plane.polls.length >= 1);
    await t.plane.stop();
    const down = performance.now();
    while (t.client.status().state !== "retrying") {
      assert.ok(performance.now() - down < 10_000, "the client noticed the outage");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(t.client.status().lastError!, /poll failed/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.plane.restart();
    t.plane.enqueue(command("back", rpc(1, "tools/list")));
    await t.plane.until(() => t.plane.responsesFor("back").length >= 1);
    assert.equal(t.client.status().state, "connected");
    assert.ok(t.client.status().lastPollAt);
  } finally {
    await t.cleanup();
  }
});

Deno.test("stop() lets an in-flight call finish within the bound, and posts nothing for one cut off", async () => {
  const t = await setup();
  try {
    t.plane.enqueue(command("short", readCall(1, "SLOW{400} short")));
    await t.plane.until(() => t.upstream.calls.length >= 1);
    await t.client.stop(5000);
    assert.equal(t.plane.responsesFor("short")[0]?.body.resp_json.result.structuredContent.status, "completed");
    assert.equal(t.client.status().state, "stopped");
  } finally {
    await t.cleanup();
  }
  const u = await setup();
  try {
    u.plane.enqueue(command("long", readCall(1, "SLOW{10000} long")));
    await u.plane.until(() => u.upstream.calls.length >= 1);
    const started = performance.now();
    await u.client.stop(200);
    assert.ok(performance.now() - started < 3000, "the grace bound holds");
    assert.deepEqual(u.plane.responsesFor("long"), []);
  } finally {
    await u.cleanup();
  }
});

Deno.test("a failed notification POST skips the later ones but the terminal response is still delivered", async () => {
  const mcp = progressHandler();
  const t = await setup({ mcp: mcp.fetch });
  try {
    t.plane.failResponses("p", { status: 500 });
    t.plane.enqueue(command("p", countCall("c1")));
    await t.plane.until(() => t.plane.responsesFor("p").some((r) => r.status === 200));
    const posted = t.plane.responsesFor("p");
    assert.deepEqual(posted.map((r) => [r.body.resp_type, r.status]), [
      ["jsonrpc_notify", 500],
      ["jsonrpc_response", 200],
    ], "a notification is never replayed, the second is skipped");
  } finally {
    await t.cleanup();
    await mcp.close();
  }
});

Deno.test("a command whose deadline passes during MCP work posts nothing, not even its notifications late", async () => {
  const mcp = progressHandler();
  const t = await setup({ mcp: mcp.fetch });
  try {
    t.plane.enqueue(
      command("late", countCall("c1", { waitMs: 1500 }), { response_timeout: "500ms" }),
      command("in-time", countCall("c2"), { response_timeout: "10s" }),
    );
    await t.plane.until(() => t.plane.responsesFor("in-time").some(terminal));
    await new Promise((resolve) => setTimeout(resolve, 1800));
    const late = t.plane.responsesFor("late");
    assert.ok(late.every((r) => r.body.resp_type === "jsonrpc_notify"), "no terminal response after the deadline");
    assert.ok(late.every((r) => r.at - t.plane.polls[0].at < 1000), "only what was posted before the deadline");
  } finally {
    await t.cleanup();
    await mcp.close();
  }
});

Deno.test("a wrong key at start shows in ready() as refused, and the bridge does not retry at once", async () => {
  const t = await setup({ before: (plane) => plane.refuse(403), retry: { operatorRetryMs: 60_000 } });
  try {
    const status = await t.client.ready(5000);
    assert.equal(status.state, "refused");
    assert.match(status.lastError!, /HTTP 403/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(t.plane.polls.length, 0, "no poll within the operator retry interval");
  } finally {
    t.plane.refuse(undefined);
    await t.cleanup();
  }
});

for (const era of ERAS) {
  Deno.test(`[${era}] the SDK's own MCP client works through the tunnel: handshake, tools/list, codex_read`, async () => {
    const t = await setup();
    let seq = 0;
    // ChatGPT's side, played by the SDK client: each HTTP POST becomes one polled command, its answer the response.
    async function throughTunnel(request: Request): Promise<Response> {
      if (request.method !== "POST") return new Response(null, { status: 405 });
      const headers: Record<string, string[]> = {};
      request.headers.forEach((value, name) => headers[name] = [value]);
      const requestId = `sdk-${++seq}`;
      t.plane.enqueue(command(requestId, await request.json(), { headers }));
      await t.plane.until(() => t.plane.responsesFor(requestId).some(terminal));
      const final = t.plane.responsesFor(requestId).at(-1)!.body;
      if (final.resp_type === "notify_ack") return new Response(null, { status: 202 });
      const out = new Headers();
      for (const [name, values] of Object.entries(final.resp_headers ?? {})) {
        for (const value of values as string[]) out.append(name, value);
      }
      return new Response(JSON.stringify(final.resp_json), { status: final.resp_code, headers: out });
    }
    const client = await connectClient("http://chatgpt.invalid/mcp", { era, fetch: throughTunnel });
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name).sort(), BRIDGE_TOOLS);
      const result = await client.callTool({ name: "codex_read", arguments: { prompt: "via tunnel" } });
      assert.equal(structured(result).text, "echo: via tunnel");
    } finally {
      await client.close();
      await t.cleanup();
    }
  });
}
