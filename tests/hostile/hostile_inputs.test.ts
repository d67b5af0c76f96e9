/**
 * A hostile-input corpus against the bridge as users launch it (its own
 * process, narrow permissions, the scripted fake Codex): HTTP oddities,
 * auth tricks, Host/Origin attacks, ill-formed tool arguments, root escapes
 * and sensitive files. Every case asserts the exact outcome; afterwards the
 * process must be healthy and no Codex job may have started for a refusal.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { SENSITIVE_NAMES } from "../fixtures/sensitive_names.ts";

const TOKEN = "hostile-token-0123456789abcdef";
const ACCEPT = "application/json, text/event-stream";

interface Outcome {
  status: number;
  body: string;
}

interface Case {
  name: string;
  run: () => Promise<Outcome>;
  status: number;
  /** Matched against the response body. */
  body?: RegExp;
  /** Whether the case may start a Codex job (only accepted tool calls do). */
  startsJob?: boolean;
}

async function send(url: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Outcome> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text() };
}

function post(url: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Outcome> {
  return send(url, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", accept: ACCEPT, ...headers },
  });
}

/**
 * A raw HTTP/1.1 POST over TCP: fetch() will not send a forged Host header,
 * an attacker's client will.
 */
async function rawPost(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
  const { hostname, port, pathname } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const bytes = new TextEncoder().encode(body);
  const head = [
    `POST ${pathname} HTTP/1.1`,
    ...Object.entries({ "content-length": String(bytes.length), connection: "close", ...headers })
      .map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(head));
  await conn.write(bytes);
  let text = "";
  for await (const chunk of conn.readable.pipeThrough(new TextDecoderStream())) text += chunk;
  const status = Number(text.match(/^HTTP\/1\.1 (\d+)/)?.[1] ?? 0);
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

let nextId = 1;
function rpc(method: string, params?: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, ...(params === undefined ? {} : { params }) });
}

function callTool(url: string, name: string, args: unknown): Promise<Outcome> {
  return post(url, rpc("tools/call", { name, arguments: args }), { "mcp-protocol-version": "2025-11-25" });
}

/** The JSON of the first SSE/JSON message in a body. */
// deno-lint-ignore no-explicit-any
function message(body: string): any {
  const data = body.split("\n").find((line) => line.startsWith("data: "));
  return JSON.parse(data ? data.slice(6) : body);
}

Deno.test({
  name: "hostile inputs: every case gets its exact answer, nothing crashes, no refused call reaches Codex",
  sanitizeResources: false,
  fn: async () => {
    const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "hostile-" }));
    const root = join(base, "root");
    await Deno.mkdir(join(root, "sub"), { recursive: true });
    await Deno.mkdir(join(base, "root-evil"));
    await Deno.mkdir(join(base, "outside"));
    await Deno.writeTextFile(join(root, "file.txt"), "x");
    await Deno.symlink(join(base, "outside"), join(root, "link-out"));
    await Deno.symlink(join(root, "sub"), join(root, "link-in"));
    await Deno.mkdir(join(base, "rооt")); // Cyrillic о: a look-alike sibling
    const secrets = join(root, "secrets");
    const bridge = await startBridgeProcess({
      args: [
        "--root",
        root,
        "--token",
        TOKEN,
        "--allowed-host",
        "tunnel.example.com",
        "--codex",
        join(PROJECT_DIR, "tests/fixtures/fake_codex.ts"),
      ],
    });
    const url = bridge.url;
    const port = new URL(url).port;
    const cases: Case[] = [];
    const add = (c: Case) => cases.push(c);

    // --- HTTP surface ---
    for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      add({
        name: `${method} /mcp`,
        run: () => send(url, { method, headers: { authorization: `Bearer ${TOKEN}` } }),
        status: 405,
      });
    }
    for (
      const path of ["/", "/mcp/", "/MCP", "/mcp/x", "/.well-known/oauth-authorization-server", "/admin", "/%2e%2e/etc"]
    ) {
      add({ name: `POST ${path}`, run: () => post(new URL(path, url).href, rpc("ping")), status: 404 });
    }
    add({ name: "GET /healthz", run: () => send(new URL("/healthz", url).href, {}), status: 200, body: /"ok"/ });
    add({ name: "POST /healthz", run: () => post(new URL("/healthz", url).href, "{}"), status: 405 });
    for (
      const type of ["text/plain", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded", ""]
    ) {
      add({
        name: `content-type "${type}"`,
        run: () => post(url, rpc("tools/list"), { "content-type": type }),
        status: 415,
        body: /Unsupported Media Type/,
      });
    }
    for (const accept of ["text/html", "application/json", "text/event-stream", "*/*"]) {
      add({
        name: `accept "${accept}"`,
        run: () => post(url, rpc("tools/list"), { accept }),
        status: 406,
      });
    }
    for (const body of ["hello", "{", "{'a':1}", '{"jsonrpc":"2.0",', "\u0000", "nul\u0000l"]) {
      add({ name: `malformed JSON ${JSON.stringify(body)}`, run: () => post(url, body), status: 400, body: /-32700/ });
    }
    for (const body of ["1", '"x"', "null", "true", "{}", '{"jsonrpc":"1.0","id":1,"method":"ping"}', '{"id":1}']) {
      add({ name: `not JSON-RPC ${body}`, run: () => post(url, body), status: 400, body: /-32600/ });
    }
    add({ name: "empty batch", run: () => post(url, "[]"), status: 400, body: /empty JSON-RPC batch/ });
    add({
      name: "batch of two",
      run: () => post(url, `[${rpc("ping")},${rpc("ping")}]`),
      status: 200,
      body: /"id":\d+[\s\S]*"id":\d+/,
    });
    add({
      name: "deeply nested arrays",
      run: () => post(url, "[".repeat(50_000) + "]".repeat(50_000)),
      status: 400,
      body: /-32600/,
    });
    add({
      name: "deeply nested objects",
      run: () => post(url, '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000)),
      status: 400,
      body: /-32600/,
    });
    add({
      name: "body over 4 MiB",
      run: () => post(url, "a".repeat(4 * 1024 * 1024 + 1)),
      status: 413,
    });
    add({
      name: "chunked body over 4 MiB",
      run: () =>
        post(
          url,
          new ReadableStream({
            start(c) {
              for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode("a".repeat(1024 * 1024)));
              c.close();
            },
          }),
        ),
      status: 413,
    });
    add({
      name: "huge prompt string (3 MiB)",
      run: () => callTool(url, "codex_read", { prompt: "p".repeat(3 * 1024 * 1024) }),
      status: 200,
      body: /too_big|Too big|200000/i,
    });
    for (const method of ["foo/bar", "tools/execute", "admin/shutdown", "resources/list", "prompts/list", ""]) {
      add({
        name: `unknown method "${method}"`,
        run: () => post(url, rpc(method), { "mcp-protocol-version": "2025-11-25" }),
        status: 200,
        body: /-32601/,
      });
    }
    for (const version of ["1999-01-01", "2025-13-45", "latest", "x".repeat(300)]) {
      add({
        name: `protocol version header ${version.slice(0, 20)}`,
        run: () => post(url, rpc("tools/list"), { "mcp-protocol-version": version }),
        status: 400,
        body: /Unsupported protocol version|per-request envelope/,
      });
    }
    for (const session of ["abc", "00000000-0000-0000-0000-000000000000", "x".repeat(1000), "expired-session"]) {
      add({
        name: `session id ${session.slice(0, 20)} (stateless: ignored)`,
        run: () => post(url, rpc("tools/list"), { "mcp-session-id": session }),
        status: 200,
        body: /codex_read/,
      });
    }
    add({
      name: "oversized header",
      run: () => post(url, rpc("ping"), { "x-big": "a".repeat(70_000) }),
      status: 400,
    });

    // --- Auth ---
    const auth = (name: string, headers: Record<string, string>, target = url) =>
      add({
        name: `auth: ${name}`,
        run: () =>
          send(target, {
            method: "POST",
            body: rpc("tools/list"),
            headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
          }),
        status: 401,
        body: /invalid_token|Unauthorized|Missing/i,
      });
    auth("no token", {});
    auth("wrong token", { authorization: "Bearer wrong-token-0123456789abcdef" });
    auth("shorter token", { authorization: `Bearer ${TOKEN.slice(0, -1)}` });
    auth("longer token", { authorization: `Bearer ${TOKEN}x` });
    auth("token with trailing space inside", { authorization: `Bearer ${TOKEN} x` });
    auth("empty bearer", { authorization: "Bearer " });
    auth("Basic scheme", { authorization: `Basic ${btoa(`u:${TOKEN}`)}` });
    auth("token without scheme", { authorization: TOKEN });
    auth("Token scheme", { authorization: `Token ${TOKEN}` });
    auth("token in query string", {}, `${url}?access_token=${TOKEN}`);
    auth("token in query as token", {}, `${url}?token=${TOKEN}`);
    auth("token in cookie", { cookie: `token=${TOKEN}` });
    auth("token in x-api-key", { "x-api-key": TOKEN });
    auth("uppercase token", { authorization: `Bearer ${TOKEN.toUpperCase()}` });
    auth("double space after the scheme", { authorization: `Bearer  ${TOKEN}` });
    auth("tab after the scheme", { authorization: `Bearer\t${TOKEN}` });
    for (const scheme of ["bearer", "BEARER"]) {
      add({
        name: `auth: scheme spelled "${scheme}"`,
        run: () => post(url, rpc("tools/list"), { authorization: `${scheme} ${TOKEN}` }),
        status: 200,
        body: /codex_read/,
      });
    }

    // --- Host / Origin ---
    const hostCase = (name: string, headers: Record<string, string>, status: number) =>
      add({
        name: `host/origin: ${name}`,
        run: () =>
          rawPost(url, {
            host: `127.0.0.1:${port}`,
            authorization: `Bearer ${TOKEN}`,
            "content-type": "application/json",
            accept: ACCEPT,
            ...headers,
          }, rpc("tools/list")),
        status,
      });
    for (const host of ["evil.com", "evil.com:80", "127.0.0.2", "0.0.0.0", "10.0.0.1", "[::]", "localhost.evil.com"]) {
      hostCase(`Host ${host}`, { host }, 403);
    }
    for (const host of ["tunnel.example.com.evil.com", "eviltunnel.example.com", "example.com", "[::ffff:127.0.0.1]"]) {
      hostCase(`Host ${host}`, { host }, 403);
    }
    for (
      const host of [
        `localhost:${port}`,
        `127.0.0.1:${port}`,
        "localhost:1",
        "tunnel.example.com",
        "tunnel.example.com:443",
        `[::1]:${port}`,
      ]
    ) {
      hostCase(`Host ${host} (allowed)`, { host }, 200);
    }
    for (
      const origin of [
        "https://evil.com",
        "null",
        "http://localhost.evil.com",
        "file://",
        "http://127.0.0.2",
        "https://tunnel.example.com.evil.com",
      ]
    ) {
      hostCase(`Origin ${origin}`, { origin }, 403);
    }
    for (const origin of ["http://localhost", `http://127.0.0.1:${port}`, "https://tunnel.example.com"]) {
      hostCase(`Origin ${origin} (allowed)`, { origin }, 200);
    }
    for (const host of ["127.0.0.1.nip.io", "localtest.me", "attacker.localhost"]) {
      hostCase(`Host ${host}`, { host }, 403);
    }
    hostCase("Host [::1] (allowed)", { host: "[::1]" }, 200);
    for (const origin of ["chrome-extension://abcdef", "http://evil.com:8765", "https://127.0.0.1.evil.com"]) {
      hostCase(`Origin ${origin}`, { origin }, 403);
    }
    hostCase("DNS rebinding: evil Host, local Origin", { host: "evil.com", origin: "http://localhost" }, 403);
    hostCase("DNS rebinding: local Host, evil Origin", { host: `localhost:${port}`, origin: "http://evil.com" }, 403);

    // --- Tool arguments ---
    const refuse = (name: string, tool: string, args: unknown, body: RegExp) =>
      add({ name: `tool: ${name}`, run: () => callTool(url, tool, args), status: 200, body });
    refuse("codex_read without prompt", "codex_read", {}, /isError":true[\s\S]*prompt|Invalid/);
    refuse("codex_read with empty prompt", "codex_read", { prompt: "" }, /prompt must not be empty/);
    refuse("codex_read with numeric prompt", "codex_read", { prompt: 42 }, /Invalid|expected string/);
    refuse("codex_read with array prompt", "codex_read", { prompt: ["a"] }, /Invalid|expected string/);
    refuse("codex_read with null args", "codex_read", null, /Invalid|expected/);
    refuse("codex_reply without threadId", "codex_reply", { prompt: "x" }, /threadId|Invalid/);
    refuse("codex_job_status without jobId", "codex_job_status", {}, /jobId|Invalid/);
    refuse("unknown tool", "codex_exec", { prompt: "x" }, /not found|Unknown tool/i);
    refuse("unknown tool shell", "shell", { command: "id" }, /not found|Unknown tool/i);
    const escapes: [string, unknown][] = [
      ["..", ".."],
      ["../..", "../.."],
      ["sub/../..", "sub/../.."],
      ["/", "/"],
      ["/etc", "/etc"],
      ["/root", "/root"],
      ["base dir", base],
      ["prefix sibling", join(base, "root-evil")],
      ["prefix sibling relative", "../root-evil"],
      ["outside dir", join(base, "outside")],
      ["symlink out (relative)", "link-out"],
      ["symlink out (absolute)", join(root, "link-out")],
      ["look-alike sibling", join(base, "rооt")],
      ["NUL byte", "sub\u0000/etc"],
      ["NUL at end", `${root}\u0000`],
      ["very long path", "a/".repeat(3000)],
      ["very long name", "x".repeat(5000)],
      ["file as cwd", "file.txt"],
      ["missing dir", "nope"],
      ["empty cwd", ""],
      ["spaces cwd", "   "],
      ["lone surrogate", "\ud800"],
      ["unicode fullwidth dots", "．．"],
      ["encoded dots", "%2e%2e"],
      ["tilde", "~"],
      ["home var", "$HOME"],
      ["backslashes", "..\\.."],
      ["numeric cwd", 42],
      ["object cwd", { path: "/" }],
    ];
    for (const [name, cwd] of escapes) {
      for (const tool of ["codex_read", "codex_run"]) {
        refuse(`${tool} cwd ${name}`, tool, { prompt: "x", cwd }, /"isError":true/);
      }
    }
    for (
      const sandbox of [
        "danger-full-access",
        "DANGER-FULL-ACCESS",
        "Danger-Full-Access",
        " danger-full-access",
        "danger_full_access",
        "dangerFullAccess",
        "full-access",
        "danger-full-access\u0000",
        "workspace-write",
        "WORKSPACE-WRITE",
        "yolo",
        "",
      ]
    ) {
      refuse(`sandbox ${JSON.stringify(sandbox)}`, "codex_run", { prompt: "x", sandbox }, /"isError":true/);
    }
    for (const timeoutMs of [-1, 0, 1.5, "100", null, true, [1], 1e400 as unknown]) {
      refuse(`timeoutMs ${JSON.stringify(timeoutMs)}`, "codex_read", { prompt: "x", timeoutMs }, /"isError":true/);
    }
    for (const id of ["unknown", "00000000-0000-4000-8000-000000000000", "../../etc/passwd", "x".repeat(150), " "]) {
      refuse(`codex_job_status jobId ${id.slice(0, 20)}`, "codex_job_status", { jobId: id }, /Unknown jobId/);
      refuse(
        `codex_reply threadId ${id.slice(0, 20)}`,
        "codex_reply",
        { threadId: id, prompt: "x" },
        /Unknown threadId/,
      );
    }
    for (const id of ["", "x".repeat(500), 7, null, { id: 1 }]) {
      refuse(
        `codex_job_status malformed jobId ${JSON.stringify(id).slice(0, 20)}`,
        "codex_job_status",
        { jobId: id },
        /"isError":true/,
      );
    }

    // --- Secret files: hidden from Codex, never a reason to refuse ---
    let n = 0;
    for (const name of SENSITIVE_NAMES) {
      for (const depth of [0, 2, 5]) {
        for (const spelling of [name, name.toUpperCase()]) {
          const dir = join(secrets, `case${n++}`);
          const parts = Array.from({ length: depth }, (_, i) => `d${i}`);
          await Deno.mkdir(join(dir, ...parts), { recursive: true });
          await Deno.writeTextFile(join(dir, ...parts, spelling), "SECRET");
          add({
            name: `secret ${spelling} at depth ${depth} is hidden`,
            run: () => callTool(url, "codex_read", { prompt: "x", cwd: dir }),
            status: 200,
            body: /"status":"completed"[\s\S]*"hiddenFiles":[1-9]/,
            startsJob: true,
          });
        }
      }
    }

    // --- Accepted calls (jobs expected) ---
    add({
      name: "accepted: extra fields are ignored",
      run: () => callTool(url, "codex_read", { prompt: "hello", cwd: "sub", extra: 1, sandbox: "danger-full-access" }),
      status: 200,
      body: /"status\\?":\\?"completed/,
      startsJob: true,
    });
    add({
      name: "accepted: symlink pointing inside",
      run: () => callTool(url, "codex_read", { prompt: "hello", cwd: "link-in" }),
      status: 200,
      body: /"status\\?":\\?"completed/,
      startsJob: true,
    });
    add({
      name: "accepted: huge timeoutMs is capped, not refused",
      run: () => callTool(url, "codex_read", { prompt: "hello", cwd: "sub", timeoutMs: 9_007_199_254_740_991 }),
      status: 200,
      body: /"status\\?":\\?"completed/,
      startsJob: true,
    });

    // --- Run the corpus ---
    const jobsNow = async () => {
      const out = await callTool(url, "bridge_status", {});
      const jobs = message(out.body).result.structuredContent.jobs;
      return jobs.running + jobs.completed + jobs.failed;
    };
    const failures: string[] = [];
    let escapesFound = 0;
    for (const c of cases) {
      const before = await jobsNow();
      let outcome: Outcome;
      try {
        outcome = await c.run();
      } catch (error) {
        failures.push(`${c.name}: request failed: ${error}`);
        continue;
      }
      const after = await jobsNow();
      if (outcome.status !== c.status) failures.push(`${c.name}: status ${outcome.status}, expected ${c.status}`);
      else if (c.body && !c.body.test(outcome.body)) failures.push(`${c.name}: body ${outcome.body.slice(0, 300)}`);
      if ((after > before) !== (c.startsJob ?? false)) {
        escapesFound++;
        failures.push(`${c.name}: jobs ${before} → ${after}`);
      }
    }
    const healthy = (await send(new URL("/healthz", url).href, {})).status === 200 &&
      message((await callTool(url, "bridge_status", {})).body).result.structuredContent.roots.length === 1;
    const code = await bridge.stop();
    console.log(
      `hostile inputs: ${cases.length} cases tried, ${cases.length - failures.length} passed, ` +
        `${healthy && code === 0 ? 0 : 1} crashes, ${escapesFound} escapes`,
    );
    await Deno.remove(base, { recursive: true });
    assert.deepEqual(failures, []);
    assert.ok(cases.length >= 300, `only ${cases.length} cases`);
    assert.ok(healthy, "bridge healthy after the corpus");
    assert.equal(code, 0);
  },
});
