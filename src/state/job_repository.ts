/**
 * The `jobs` table: each job as the registry last wrote it (status, result,
 * progress, request id, prompt preview), so results and request ids outlive
 * a restart. One row per job, replaced on every save.
 *
 * @module
 */
import type { StatementSync } from "node:sqlite";
import type { StateDatabase } from "./database.ts";
import type { TokenUsage } from "../upstream/types.ts";

/** A job as stored: everything but its in-process promise. `interrupted`: the bridge stopped while it ran. */
export interface StoredJob {
  id: string;
  tool: string;
  startedAt: number;
  status: "running" | "completed" | "failed" | "cancelled" | "interrupted";
  finishedAt?: number;
  threadId?: string;
  text?: string;
  error?: string;
  hiddenFiles?: number;
  requestId?: string;
  promptPreview: string;
  progress: {
    /** What Codex is doing now, in a word or two. */
    phase: string;
    /** Events received from Codex so far. */
    events: number;
    commandsStarted: number;
    commandsFinished: number;
    /** The last command Codex started. */
    lastCommand?: string;
    /** Approval requests the bridge declined (Codex's own description). */
    approvalsDeclined: string[];
    /** When the last event arrived (ms since the epoch). */
    lastEventAt?: number;
    /** The end of Codex's latest reasoning summary (bounded by the registry). */
    reasoningSummary?: string;
    /** Codex's plan as last updated (bounded in steps and length). */
    plan?: { step: string; status: string }[];
    /** Tokens the thread has used so far. */
    tokens?: TokenUsage;
  };
}

/** Where the job registry keeps its jobs. */
export interface JobRepository {
  /** Every stored job, oldest first. */
  loadAll(): StoredJob[];
  /** Inserts or replaces the job. */
  save(job: StoredJob): void;
  remove(id: string): void;
}

/** The `jobs` component's schema, in order (see `database.ts`). */
export const JOB_MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     tool TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     status TEXT NOT NULL,
     finished_at INTEGER,
     thread_id TEXT,
     text TEXT,
     error TEXT,
     hidden_files INTEGER,
     request_id TEXT,
     prompt_preview TEXT NOT NULL,
     progress TEXT NOT NULL
   );
   CREATE INDEX jobs_started_at ON jobs (started_at)`,
];

interface Row {
  id: string;
  tool: string;
  started_at: number;
  status: StoredJob["status"];
  finished_at: number | null;
  thread_id: string | null;
  text: string | null;
  error: string | null;
  hidden_files: number | null;
  request_id: string | null;
  prompt_preview: string;
  progress: string;
}

/** {@linkcode JobRepository} in the state database. */
export class SqliteJobRepository implements JobRepository {
  #save: StatementSync;
  #remove: StatementSync;
  #all: StatementSync;

  constructor(state: StateDatabase) {
    state.migrate("jobs", JOB_MIGRATIONS);
    const { db } = state;
    this.#save = db.prepare(
      `INSERT OR REPLACE INTO jobs (id, tool, started_at, status, finished_at, thread_id, text, error, hidden_files,
         request_id, prompt_preview, progress) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#remove = db.prepare("DELETE FROM jobs WHERE id = ?");
    this.#all = db.prepare("SELECT * FROM jobs ORDER BY started_at");
  }

  loadAll(): StoredJob[] {
    return (this.#all.all() as unknown as Row[]).map((row) => ({
      id: row.id,
      tool: row.tool,
      startedAt: row.started_at,
      status: row.status,
      ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
      ...(row.thread_id === null ? {} : { threadId: row.thread_id }),
      ...(row.text === null ? {} : { text: row.text }),
      ...(row.error === null ? {} : { error: row.error }),
      ...(row.hidden_files === null ? {} : { hiddenFiles: row.hidden_files }),
      ...(row.request_id === null ? {} : { requestId: row.request_id }),
      promptPreview: row.prompt_preview,
      progress: JSON.parse(row.progress),
    }));
  }

  save(job: StoredJob): void {
    this.#save.run(
      job.id,
      job.tool,
      job.startedAt,
      job.status,
      job.finishedAt ?? null,
      job.threadId ?? null,
      job.text ?? null,
      job.error ?? null,
      job.hiddenFiles ?? null,
      job.requestId ?? null,
      job.promptPreview,
      JSON.stringify(job.progress),
    );
  }

  remove(id: string): void {
    this.#remove.run(id);
  }
}
