/**
 * The state folder through `serve`, as a user meets it: a second bridge on
 * the same folder is refused with the first one's pid, a corrupt database
 * stops the start with a clear line, and the folder works again once freed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_DIR, startBridgeProcess } from "../fixtures/bridge_process.ts";

const FAKE = join(PROJECT_DIR, "tests/fixtures/fake_codex.ts");
const TOKEN = "state-token-0123456789abcdef";

async function withFolders(body: (dirs: { root: string; state: string; home: string }) => Promise<void>) {
  const base = await Deno.makeTempDir({ prefix: "serve-state-" });
  const dirs = { root: join(base, "root"), state: join(base, "state"), home: join(base, "home") };
  for (const dir of Object.values(dirs)) await Deno.mkdir(dir);
  try {
    await body(dirs);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

function bridgeOn(dirs: { root: string; state: string; home: string }) {
  return startBridgeProcess({
    args: ["--root", dirs.root, "--token", TOKEN, "--codex", FAKE],
    env: { CODEX_HOME: dirs.home },
    stateDir: dirs.state,
  });
}

Deno.test("serve refuses a second bridge on the same state folder, naming the first one's pid", () =>
  withFolders(async (dirs) => {
    const first = await bridgeOn(dirs);
    try {
      const error = await bridgeOn(dirs).then(
        (second) => second.stop().then(() => new Error("a second bridge started")),
        (error: Error) => error,
      );
      const pid = Number(error.message.match(/Another codex-gpt-bridge \(pid (\d+)\) is using the state folder/)?.[1]);
      assert.ok(pid > 0, error.message);
      // The lock is held by the serving stage: ./codex-gpt-bridge exec'd it, so it is the script's own process.
      assert.equal(pid, first.pid, `pid ${pid} is the first bridge's serving process`);
      assert.doesNotMatch(error.message, /at file:|Stack backtrace/, "one clear line, no stack");
    } finally {
      assert.equal(await first.stop(), 0, first.stderr());
    }
    // Positive control: once the first has stopped, the folder is free again.
    const again = await bridgeOn(dirs);
    assert.equal(await again.stop(), 0, again.stderr());
  }));

Deno.test("serve stops at start on a corrupt state database and leaves the file as it was", () =>
  withFolders(async (dirs) => {
    const garbage = "this is not a sqlite database\n".repeat(200);
    await Deno.writeTextFile(join(dirs.state, "state.db"), garbage);
    const error = await bridgeOn(dirs).then(
      (bridge) => bridge.stop().then(() => new Error("the bridge started")),
      (error: Error) => error,
    );
    assert.match(error.message, /exited \(2\)/, error.message);
    assert.match(error.message, /The state database ".*state\.db" cannot be used .*move the file aside/);
    assert.equal(await Deno.readTextFile(join(dirs.state, "state.db")), garbage);
  }));
