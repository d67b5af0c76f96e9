import assert from "node:assert/strict";
import { join } from "node:path";
import { DATABASE_FILE, openDatabase, StateError } from "../../src/state/database.ts";
import { defaultStateDir, ensureStateDir } from "../../src/state/state_dir.ts";

const MIGRATIONS = ["CREATE TABLE things (id TEXT PRIMARY KEY)", "ALTER TABLE things ADD COLUMN name TEXT"];

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "state-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openDatabase() migrates each component once and keeps its rows across opens", () =>
  withDir(async (dir) => {
    const first = await openDatabase(dir);
    first.migrate("things", MIGRATIONS);
    first.db.prepare("INSERT INTO things (id, name) VALUES (?, ?)").run("a", "kept");
    first.close();
    const second = await openDatabase(dir);
    second.migrate("things", MIGRATIONS);
    assert.deepEqual({ ...second.db.prepare("SELECT id, name FROM things").get() }, { id: "a", name: "kept" });
    second.close();
    assert.equal((await Deno.stat(join(dir, DATABASE_FILE))).mode! & 0o777, 0o600);
  }));

Deno.test("openDatabase() refuses a file of a newer schema and leaves it as it was", () =>
  withDir(async (dir) => {
    const newer = await openDatabase(dir);
    newer.migrate("things", [...MIGRATIONS, "ALTER TABLE things ADD COLUMN extra TEXT"]);
    newer.close();
    const older = await openDatabase(dir);
    assert.throws(() => older.migrate("things", MIGRATIONS), (error: Error) => {
      assert.ok(error instanceof StateError);
      assert.match(error.message, /written by a newer codex-gpt-bridge \(things schema 3, this version knows 2\)/);
      return true;
    });
    older.close();
  }));

Deno.test("openDatabase() refuses a corrupt file with a clear error and does not overwrite it", () =>
  withDir(async (dir) => {
    const garbage = "this is not a database ".repeat(200);
    await Deno.writeTextFile(join(dir, DATABASE_FILE), garbage);
    await assert.rejects(() => openDatabase(dir), /state database .* cannot be used .*move the file aside/);
    assert.equal(await Deno.readTextFile(join(dir, DATABASE_FILE)), garbage);
  }));

Deno.test("openDatabase({exclusive}) refuses a second bridge with the first one's pid, then frees the folder", () =>
  withDir(async (dir) => {
    // The lock is an OS file lock, so the second holder must be another process.
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { openDatabase } from ${JSON.stringify(new URL("../../src/state/database.ts", import.meta.url).href)};
         await openDatabase(${JSON.stringify(dir)}, { exclusive: true });
         console.log("held"); await new Promise((r) => setTimeout(r, 20000));`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = holder.stdout.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /held/);
    try {
      await assert.rejects(
        () => openDatabase(dir, { exclusive: true }),
        new RegExp(`Another codex-gpt-bridge \\(pid ${holder.pid}\\) is using the state folder`),
      );
      // Maintenance commands share the database while the bridge runs.
      const shared = await openDatabase(dir);
      shared.close();
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
      reader.releaseLock();
      await holder.stdout.cancel();
    }
    // The OS dropped the dead holder's lock: the folder is free again.
    const after = await openDatabase(dir, { exclusive: true });
    after.close();
  }));

Deno.test("transaction() rolls back everything when its body throws", () =>
  withDir(async (dir) => {
    const state = await openDatabase(dir);
    state.migrate("things", MIGRATIONS);
    assert.throws(() =>
      state.transaction(() => {
        state.db.prepare("INSERT INTO things (id) VALUES ('x')").run();
        throw new Error("boom");
      }), /boom/);
    assert.equal((state.db.prepare("SELECT count(*) AS n FROM things").get() as { n: number }).n, 0);
    state.close();
  }));

Deno.test("defaultStateDir() follows XDG on Linux and Application Support on macOS", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(defaultStateDir(env({ HOME: "/h" }), "linux"), "/h/.local/state/codex-gpt-bridge");
  assert.equal(defaultStateDir(env({ HOME: "/h", XDG_STATE_HOME: "/x" }), "linux"), "/x/codex-gpt-bridge");
  assert.equal(defaultStateDir(env({ HOME: "/h" }), "darwin"), "/h/Library/Application Support/codex-gpt-bridge");
  assert.equal(defaultStateDir(env({}), "linux"), undefined);
});

Deno.test("ensureStateDir() creates missing parents and makes the folder owner-only", () =>
  withDir(async (dir) => {
    const target = join(dir, "a", "b");
    await ensureStateDir(target);
    assert.equal((await Deno.stat(target)).mode! & 0o777, 0o700);
    await Deno.chmod(target, 0o755);
    await ensureStateDir(target);
    assert.equal((await Deno.stat(target)).mode! & 0o777, 0o700);
  }));
