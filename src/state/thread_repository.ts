/**
 * The `threads` table: the threads this bridge created, with the cwd, root
 * and sandbox every reply must keep, so `codex_reply` works after a restart.
 *
 * @module
 */
import type { StatementSync } from "node:sqlite";
import type { StateDatabase } from "./database.ts";

/** A thread as stored (the job running on it is not: after a restart none is). */
export interface StoredThread {
  id: string;
  cwd: string;
  root: string;
  sandbox: "read-only" | "workspace-write";
  createdAt: number;
  lastUsedAt: number;
  /** The model it was started with (or last switched to); absent: Codex's default. */
  model?: string;
  reasoningEffort?: string;
}

/** Where the thread registry keeps its threads. */
export interface ThreadRepository {
  /** Every stored thread, oldest first. */
  loadAll(): StoredThread[];
  /** Inserts or replaces the thread. */
  save(thread: StoredThread): void;
  remove(id: string): void;
}

/** The `threads` component's schema, in order (see `database.ts`). */
export const THREAD_MIGRATIONS: readonly string[] = [
  `CREATE TABLE threads (
     id TEXT PRIMARY KEY,
     cwd TEXT NOT NULL,
     root TEXT NOT NULL,
     sandbox TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER NOT NULL
   )`,
  "ALTER TABLE threads ADD COLUMN model TEXT; ALTER TABLE threads ADD COLUMN reasoning_effort TEXT",
];

interface Row {
  id: string;
  cwd: string;
  root: string;
  sandbox: StoredThread["sandbox"];
  created_at: number;
  last_used_at: number;
  model: string | null;
  reasoning_effort: string | null;
}

/** {@linkcode ThreadRepository} in the state database. */
export class SqliteThreadRepository implements ThreadRepository {
  #save: StatementSync;
  #remove: StatementSync;
  #all: StatementSync;

  constructor(state: StateDatabase) {
    state.migrate("threads", THREAD_MIGRATIONS);
    const { db } = state;
    this.#save = db.prepare(
      "INSERT OR REPLACE INTO threads (id, cwd, root, sandbox, created_at, last_used_at, model, reasoning_effort) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#remove = db.prepare("DELETE FROM threads WHERE id = ?");
    this.#all = db.prepare("SELECT * FROM threads ORDER BY last_used_at");
  }

  loadAll(): StoredThread[] {
    return (this.#all.all() as unknown as Row[]).map((row) => ({
      id: row.id,
      cwd: row.cwd,
      root: row.root,
      sandbox: row.sandbox,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      ...(row.model === null ? {} : { model: row.model }),
      ...(row.reasoning_effort === null ? {} : { reasoningEffort: row.reasoning_effort }),
    }));
  }

  save(thread: StoredThread): void {
    this.#save.run(
      thread.id,
      thread.cwd,
      thread.root,
      thread.sandbox,
      thread.createdAt,
      thread.lastUsedAt,
      thread.model ?? null,
      thread.reasoningEffort ?? null,
    );
  }

  remove(id: string): void {
    this.#remove.run(id);
  }
}
