/**
 * Confinement: the permission builder's output, what a process under it can
 * and cannot do, that every launch path uses it, and that the serving
 * process started the way a user starts it really holds it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { chatgptPermissionFlags, servePermissionFlags } from "../../src/permissions/permission_flags.ts";
import { pickFreePort } from "../../src/permissions/relaunch.ts";
import { resolveExecutable } from "../../src/permissions/file_probe.ts";
import { codexInstallDir } from "../../src/policy/codex_install.ts";
import { MEMORY_ENV, MEMORY_FLAGS, memoryEnv } from "../../src/permissions/memory_flags.ts";
import { createCodexHome } from "../fixtures/codex_home.ts";
import { codexBinary, CURRENT_CODEX } from "../fixtures/codex_versions.ts";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { connectClient, structured } from "../fixtures/bridge_client.ts";

const SERVE_ENV = "CODEX_GPT_BRIDGE_ROOTS,CODEX_GPT_BRIDGE_ROOT,CODEX_GPT_BRIDGE_HOST,CODEX_GPT_BRIDGE_PORT," +
  "CODEX_GPT_BRIDGE_TOKEN,CODEX_GPT_BRIDGE_ROTATE_TOKEN,CODEX_GPT_BRIDGE_NO_AUTH,CODEX_GPT_BRIDGE_AUTH,CODEX_GPT_BRIDGE_PUBLIC_URL," +
  "CODEX_GPT_BRIDGE_OAUTH_REDIRECTS,CODEX_GPT_BRIDGE_OAUTH_EXTRA_RESOURCES,CODEX_GPT_BRIDGE_ALLOWED_HOSTS,CODEX_GPT_BRIDGE_ALLOW_WRITE," +
  "CODEX_GPT_BRIDGE_APPROVAL_POLICY,CODEX_GPT_BRIDGE_FAST_RETURN_MS,CODEX_GPT_BRIDGE_TIMEOUT_MS," +
  "CODEX_GPT_BRIDGE_MAX_JOBS,CODEX_GPT_BRIDGE_DISABLE_SECRET_SCAN,CODEX_GPT_BRIDGE_SECRET_PATTERNS," +
  "CODEX_GPT_BRIDGE_CODEX_READ_PATHS,CODEX_GPT_BRIDGE_ALLOW_UNCONFINED_CODEX,CODEX_GPT_BRIDGE_CODEX,CODEX_GPT_BRIDGE_UPSTREAM," +
  "CODEX_GPT_BRIDGE_STATE_DIR,CODEX_GPT_BRIDGE_NO_KEYCHAIN,CODEX_GPT_BRIDGE_MODELS,CODEX_GPT_BRIDGE_MAX_REASONING_EFFORT," +
  "CODEX_GPT_BRIDGE_AUDIT_PROMPTS,CODEX_GPT_BRIDGE_LOG_LEVEL,CONTROL_PLANE_TUNNEL_ID," +
  "CONTROL_PLANE_BASE_URL,CONTROL_PLANE_API_KEY,PATH,HOME,USER,LANG,TMPDIR,CODEX_HOME,OPENAI_API_KEY,CODEX_API_KEY";

Deno.test("servePermissionFlags() grants the roots, Codex, the listen address and named variables only", () => {
  assert.deepEqual(
    servePermissionFlags({
      roots: ["/src/a", "/src/b"],
      codexPath: "/usr/bin/codex",
      host: "127.0.0.1",
      port: 8765,
      stateDir: "/home/me/.local/state/codex-gpt-bridge",
    }),
    [
      "--no-prompt",
      "--allow-read=/src/a,/src/b,/home/me/.local/state/codex-gpt-bridge",
      "--allow-write=/home/me/.local/state/codex-gpt-bridge",
      "--allow-run=/usr/bin/codex",
      "--allow-net=127.0.0.1:8765",
      `--allow-env=${SERVE_ENV}`,
      "--unstable-no-legacy-abort",
    ],
  );
  const alsoRead = servePermissionFlags({
    roots: ["/src/a"],
    alsoRead: ["/opt/lib/node_modules/@openai", "/home/me/.cargo"],
    codexPath: "/usr/bin/codex",
    host: "127.0.0.1",
    port: 8765,
    stateDir: "/s",
  });
  assert.ok(
    alsoRead.includes("--allow-read=/src/a,/opt/lib/node_modules/@openai,/home/me/.cargo,/s"),
    "read paths too",
  );
  const ipv6 = servePermissionFlags({ roots: ["/r"], codexPath: "/c", host: "::1", port: 1, stateDir: "/s" });
  assert.ok(ipv6.includes("--allow-net=[::1]:1"));
  const base = { roots: ["/r"], codexPath: "/c", host: "127.0.0.1", port: 8765, stateDir: "/s" };
  assert.ok(
    servePermissionFlags({ ...base, controlPlaneUrl: "https://api.openai.com" })
      .includes("--allow-net=127.0.0.1:8765,api.openai.com:443"),
    "a tunnel adds exactly its control plane's host and port",
  );
  assert.ok(
    servePermissionFlags({ ...base, controlPlaneUrl: "http://127.0.0.1:9100" })
      .includes("--allow-net=127.0.0.1:8765,127.0.0.1:9100"),
  );
});

Deno.test("chatgptPermissionFlags() grants the API host and its variables only", () => {
  assert.deepEqual(chatgptPermissionFlags({ baseUrl: "https://api.openai.com/v1" }), [
    "--no-prompt",
    "--allow-net=api.openai.com:443",
    "--allow-env=OPENAI_API_KEY,OPENAI_BASE_URL,CODEX_CHATGPT_MODEL,CODEX_CHATGPT_TIMEOUT_MS,CODEX_CHATGPT_LOG_LEVEL," +
    "OPENAI_ORG_ID,OPENAI_PROJECT_ID",
    "--ignore-env=OPENAI_ADMIN_KEY,OPENAI_WEBHOOK_SECRET,OPENAI_LOG,OPENAI_CUSTOM_HEADERS",
  ]);
  assert.ok(chatgptPermissionFlags({ baseUrl: "http://127.0.0.1:9000/v1" }).includes("--allow-net=127.0.0.1:9000"));
});

Deno.test("a process under the serve set can read its root and run Codex, and nothing else", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "perm-" }));
  // The probe runs `codex --version`, which writes under CODEX_HOME: never the real one.
  const home = await createCodexHome({ modelBaseUrl: "http://127.0.0.1:9/v1" });
  const stateDir = await Deno.realPath(await Deno.makeTempDir({ prefix: "perm-state-" }));
  try {
    await Deno.writeTextFile(join(root, "file.txt"), "inside");
    const codex = resolveExecutable(codexBinary(CURRENT_CODEX), undefined)!;
    const allowed = pickFreePort("127.0.0.1");
    const other = pickFreePort("127.0.0.1");
    const blocker = Deno.listen({ hostname: "127.0.0.1", port: other }); // something to connect to
    const flags = servePermissionFlags({ roots: [root], codexPath: codex, host: "127.0.0.1", port: allowed, stateDir });
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...flags,
        join(PROJECT_DIR, "tests/fixtures/permission_probe.ts"),
        join(root, "file.txt"),
        codex,
        String(allowed),
        String(other),
        stateDir,
      ],
      env: { AWS_SECRET_ACCESS_KEY: "nope", RUST_BACKTRACE: "0", ...home.env },
    }).output();
    blocker.close();
    const outcomes = JSON.parse(new TextDecoder().decode(stdout) || new TextDecoder().decode(stderr));
    assert.deepEqual(outcomes, {
      readRoot: "ok",
      readEtcHostname: "NotCapable",
      readHome: "NotCapable",
      write: "NotCapable",
      writeState: "ok",
      runCodex: "ok",
      runSh: "NotCapable",
      listenAllowed: "ok",
      connectOther: "NotCapable",
      envSecret: "NotCapable",
    });
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(stateDir, { recursive: true });
    await home.remove();
  }
});

Deno.test("every launch path takes its confined flags from the one builder", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(join(PROJECT_DIR, "deno.json"))).tasks;
  const sources: [string, string][] = [
    ["task start", tasks.start],
    ["task chatgpt", tasks.chatgpt],
    ["task compile", tasks.compile],
  ];
  for (const file of ["codex-gpt-bridge", "scripts/compile.ts", "main.ts", "src/permissions/relaunch.ts"]) {
    sources.push([file, await Deno.readTextFile(join(PROJECT_DIR, file))]);
  }
  for (const [name, text] of sources) {
    // Scoped grants (`--allow-x=…`) and ignore lists belong to src/permissions/permission_flags.ts alone;
    // the compile task may write its output folder.
    const scoped = text.match(/--(allow-(read|run|net|env|write|sys)=(?!dist\b)|ignore-env)[^\s"']*/g) ?? [];
    assert.deepEqual(scoped, [], `${name} lists its own permission flags`);
    assert.doesNotMatch(text, /(^|\s)(-A|--allow-all)(\s|"|$)/m, `${name} grants everything`);
  }
});

Deno.test("the launchers start Deno with the serving stage's V8 flags, so both stages share the code cache", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(join(PROJECT_DIR, "deno.json"))).tasks;
  const launcher = await Deno.readTextFile(join(PROJECT_DIR, "codex-gpt-bridge"));
  for (const [name, text] of [["task start", tasks.start], ["task chatgpt", tasks.chatgpt], ["launcher", launcher]]) {
    assert.ok(MEMORY_FLAGS.every((flag) => text.includes(` ${flag} `)), `${name} lacks ${MEMORY_FLAGS.join(" ")}`);
  }
  // The compiled binary is started without a relaunch: the launcher sets the allocator's variables itself.
  for (const [name, value] of Object.entries(MEMORY_ENV)) {
    assert.ok(launcher.includes(`export ${name}="\${${name}:-${value}}"`), `launcher lacks ${name}=${value}`);
  }
});

Deno.test("memoryEnv() adds the allocator settings the owner has not chosen", () => {
  assert.deepEqual(memoryEnv(() => undefined), { ...MEMORY_ENV });
  assert.deepEqual(memoryEnv((name) => name === "MALLOC_MMAP_THRESHOLD_" ? "131072" : undefined), {});
});

/** The confined serving process for `root`: its command line and environment. */
async function servingProcess(root: string): Promise<{ argv: string[]; environ: string[] }> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const argv = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).split("\0").filter(Boolean);
      if (argv.includes("serve") && argv.some((arg) => arg.startsWith(`--allow-read=${root},`))) {
        const environ = (await Deno.readTextFile(`/proc/${entry.name}/environ`)).split("\0");
        return { argv, environ };
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return { argv: [], environ: [] };
}

for (const how of ["./codex-gpt-bridge serve", "deno task start"] as const) {
  Deno.test({
    name: `${how}: the serving process holds exactly the builder's set and bridge_status shows it`,
    sanitizeResources: false,
    fn: async () => {
      const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "perm-launch-" }));
      const codex = resolveExecutable(codexBinary(CURRENT_CODEX), undefined)!;
      const token = "permission-test-token-0123";
      const home = await createCodexHome({ modelBaseUrl: "http://127.0.0.1:9/v1" });
      const bridge = await startBridgeProcess({
        args: ["--root", root, "--codex", codex, "--token", token],
        env: home.env,
        viaTask: how === "deno task start",
      });
      try {
        const port = Number(new URL(bridge.url).port);
        // Codex's install folder and launcher: the policy needs their realpath for the permission profile.
        const alsoRead = [codexInstallDir(codex)!, codex];
        const stateDir = await Deno.realPath(bridge.stateDir);
        const expected = servePermissionFlags({
          roots: [root],
          alsoRead,
          codexPath: codex,
          host: "127.0.0.1",
          port,
          stateDir,
        });
        const { argv, environ } = await servingProcess(root);
        const flags = argv.filter((arg) =>
          arg.startsWith("--allow-") || arg.startsWith("--ignore-env") ||
          arg === "--no-prompt" || arg === "--unstable-no-legacy-abort"
        );
        assert.deepEqual(flags, expected, argv.join(" "));
        assert.ok(MEMORY_FLAGS.every((flag) => argv.includes(flag)), argv.join(" "));
        for (const [name, value] of Object.entries(MEMORY_ENV)) assert.ok(environ.includes(`${name}=${value}`), name);
        const client = await connectClient(bridge.url, { token });
        const status = structured(await client.callTool({ name: "bridge_status", arguments: {} }));
        await client.close();
        const states = Object.fromEntries(
          status.runtimePermissions.probes.map((p: { what: string; state: string }) => [p.what, p.state]),
        );
        assert.equal(status.runtimePermissions.confined, true);
        assert.equal(states[`read ${root}`], "granted");
        assert.equal(states["read /"], "prompt");
        assert.equal(states[`read ${home.home}`], "prompt");
        assert.equal(states["write /"], "prompt");
        assert.equal(states[`run ${codex}`], "granted");
        assert.equal(states["run sh"], "prompt");
        assert.equal(states[`net 127.0.0.1:${port}`], "granted");
        assert.equal(states["net api.openai.com:443"], "prompt");
      } finally {
        assert.equal(await bridge.stop(), 0, bridge.stderr());
        await Deno.remove(root, { recursive: true });
        await home.remove();
      }
    },
  });
}
