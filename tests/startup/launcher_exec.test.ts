/**
 * `./codex-gpt-bridge` plans the confined launch, then becomes it: the
 * process it started is the confined server itself (no launcher stays
 * alive beside it), so SIGTERM reaches the server and its exit code is the
 * script's. A configuration error still exits 2 with one line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";
import { shellExec } from "../../src/permissions/relaunch.ts";

const argvOf = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);

Deno.test("shellExec() quotes every word and variable so the shell runs exactly that argv", async () => {
  const words = ["printf", "%s\\n", "it's", "a b", "$HOME", "`x`", ""];
  const line = shellExec(words, { CHECK_VALUE: "y'z $PATH" });
  const { stdout } = await new Deno.Command("sh", { args: ["-c", line] }).output();
  assert.deepEqual(new TextDecoder().decode(stdout).split("\n").slice(0, -1), words.slice(2));
  const env = await new Deno.Command("sh", {
    args: ["-c", shellExec(["sh", "-c", 'echo "$CHECK_VALUE"'], { CHECK_VALUE: "y'z $PATH" })],
  })
    .output();
  assert.equal(new TextDecoder().decode(env.stdout), "y'z $PATH\n");
});

Deno.test({
  name: "./codex-gpt-bridge serve becomes the confined server: no launcher beside it, SIGTERM and exit code its own",
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "launcher-exec-" });
    try {
      const bridge = await startBridgeProcess({ args: ["--root", root, "--no-auth", "--codex", join(root, "none")] });
      const argv = argvOf(bridge.pid);
      assert.ok(argv.includes("serve") && argv.some((arg) => arg.startsWith("--allow-read=")), argv.join(" "));
      const children = Deno.readTextFileSync(`/proc/${bridge.pid}/task/${bridge.pid}/children`).trim();
      assert.equal(children, "", "the server has no child (no Codex was asked for)");
      assert.equal(await bridge.stop(), 0, bridge.stderr());

      // Positive control: `deno task start` keeps its launcher stage, whose child is the server.
      const viaTask = await startBridgeProcess({
        args: ["--root", root, "--no-auth", "--codex", join(root, "none")],
        viaTask: true,
      });
      assert.ok(!argvOf(viaTask.pid).some((arg) => arg.startsWith("--allow-read=")), argvOf(viaTask.pid).join(" "));
      assert.equal(await viaTask.stop(), 0, viaTask.stderr());
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("./codex-gpt-bridge still exits 2 with one line for a configuration error, and serves --help", async () => {
  const bad = await new Deno.Command(join(PROJECT_DIR, "codex-gpt-bridge"), {
    args: ["serve", "--root", "/nonexistent-root-for-test", "--state-dir", "/var/tmp/unused"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.equal(new TextDecoder().decode(bad.stdout), "");
  assert.match(
    new TextDecoder().decode(bad.stderr),
    /^codex-gpt-bridge: Root "\/nonexistent-root-for-test" cannot be used/,
  );
  const help = await new Deno.Command(join(PROJECT_DIR, "codex-gpt-bridge"), { args: ["serve", "--help"] }).output();
  assert.equal(help.code, 0);
  assert.match(new TextDecoder().decode(help.stdout), /Usage:/);
});

Deno.test({
  name: "./codex-gpt-bridge serve takes a root given through a symlink: the real folder is the root",
  sanitizeResources: false,
  fn: async () => {
    const base = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp", prefix: "launcher-link-" }));
    try {
      await Deno.mkdir(join(base, "real"));
      await Deno.symlink(join(base, "real"), join(base, "link"));
      const bridge = await startBridgeProcess({
        args: ["--root", join(base, "link"), "--no-auth", "--codex", join(base, "none")],
      });
      assert.match(bridge.startLine, new RegExp(`roots: ${join(base, "real")} \\|`));
      const read = argvOf(bridge.pid).find((arg) => arg.startsWith("--allow-read="))!.slice("--allow-read=".length);
      // The link itself (to resolve it) and its target; nothing else of `base`.
      const granted = read.split(",").filter((path) => path.startsWith(base));
      assert.deepEqual(granted.sort(), [join(base, "link"), join(base, "real")]);
      assert.equal(await bridge.stop(), 0, bridge.stderr());
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});
