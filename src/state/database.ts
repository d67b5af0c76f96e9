/**
 * The bridge's one embedded database (`node:sqlite`, built into Deno) in the
 * state folder: opened once, checked, migrated per component, and held by
 * one bridge at a time.
 *
 * Each component (jobs, threads, OAuth, …) owns its tables and lists its
 * migrations in order; the database records how far each component got, so
 * components evolve independently and a file written by a newer bridge is
 * refused rather than misread.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";

/** The database file inside the state folder. */
export const DATABASE_FILE = "state.db";
/** Held (OS file lock) by the serving bridge for as long as it runs. */
export const LOCK_FILE = "bridge.lock";

/** Thrown when the state folder cannot be used; the message says why and what to do. */
export class StateError extends ConfigError {
  override name = "StateError";
}

/** Options for {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Take the state folder's lock, refusing if another bridge holds it
   * (`serve`); maintenance commands (`oauth list`) share the database instead.
   * @default false
   */
  exclusive?: boolean;
}

/** An open state database. */
export interface StateDatabase {
  readonly db: DatabaseSync;
  readonly dir: string;
  /**
   * Brings `component`'s tables up to date: runs `migrations[n]` for every
   * version n the file has not seen, each in its own transaction. Throws
   * {@linkcode StateError} when the file is of a newer schema.
   */
  migrate(component: string, migrations: readonly string[]): void;
  /** Runs `body` in one transaction (rolled back if it throws). */
  transaction<T>(body: () => T): T;
  close(): void;
}

/** Opens (creating if needed) the database in `dir`. */
export async function openDatabase(dir: string, options: OpenDatabaseOptions = {}): Promise<StateDatabase> {
  const lock = options.exclusive ? await takeLock(dir) : undefined;
  const path = join(dir, DATABASE_FILE);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 2000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    const check = db.prepare("PRAGMA quick_check").get() as { quick_check?: string } | undefined;
    if (check?.quick_check !== "ok") throw new Error(check?.quick_check ?? "integrity check failed");
    db.exec("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  } catch (error) {
    lock?.close();
    throw new StateError(
      `The state database "${path}" cannot be used (${(error as Error).message}). Nothing was changed; move the ` +
        `file aside to start afresh, or pass --state-dir with another folder`,
    );
  }
  await Deno.chmod(path, 0o600).catch(() => {});
  const transaction = <T>(body: () => T): T => {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };
  return {
    db,
    dir,
    transaction,
    migrate(component, migrations) {
      const row = db.prepare("SELECT version FROM schema_versions WHERE component = ?").get(component) as
        | { version: number }
        | undefined;
      const current = row?.version ?? 0;
      if (current > migrations.length) {
        throw new StateError(
          `The state database "${path}" was written by a newer codex-gpt-bridge (${component} schema ${current}, ` +
            `this version knows ${migrations.length}). Upgrade the bridge, or pass --state-dir with another folder`,
        );
      }
      for (let version = current + 1; version <= migrations.length; version++) {
        transaction(() => {
          db.exec(migrations[version - 1]);
          db.prepare(
            "INSERT INTO schema_versions (component, version) VALUES (?, ?) " +
              "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
          ).run(component, version);
        });
      }
    },
    close() {
      db.close();
      lock?.close();
    },
  };
}

/** Takes the folder's lock, writing our pid into the file; refuses with the holder's pid. */
async function takeLock(dir: string): Promise<Deno.FsFile> {
  const path = join(dir, LOCK_FILE);
  const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  if (!await file.tryLock(true)) {
    file.close();
    const holder = (await Deno.readTextFile(path).catch(() => "")).trim();
    throw new StateError(
      `Another codex-gpt-bridge (pid ${holder || "unknown"}) is using the state folder "${dir}"; stop it first, ` +
        `or pass --state-dir with another folder`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  return file;
}
