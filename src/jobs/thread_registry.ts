/**
 * Threads this bridge created, so `codex_reply` can refuse any other id,
 * keep the thread's original cwd and sandbox, and allow one running job per
 * thread. With a repository the threads outlive a restart (replies resume
 * them from CODEX_HOME).
 *
 * @module
 */
import { BoundedStore } from "./bounded_store.ts";
import type { SandboxMode } from "../upstream/types.ts";
import type { StoredThread, ThreadRepository } from "../state/thread_repository.ts";

/** A thread created through this bridge. */
export interface ThreadRecord {
  readonly id: string;
  /** The policy-checked cwd of its first turn (a realpath, re-checked before every reply). */
  readonly cwd: string;
  /** Realpath of the allowed root holding `cwd`: all Codex may see, and write in workspace-write. */
  readonly root: string;
  /** Its original sandbox; replies never change it. */
  readonly sandbox: SandboxMode;
  readonly createdAt: number;
  lastUsedAt: number;
  /** Its model and effort, kept for replies unless one names others; absent: Codex's default. */
  model?: string;
  reasoningEffort?: string;
  /** The job running on it, if any. */
  runningJobId?: string;
}

/** Options for {@linkcode ThreadRegistry}. */
export interface ThreadRegistryOptions {
  /** @default 1000 */
  maxEntries?: number;
  /** Idle time before a thread is forgotten. @default 6 hours */
  ttlMs?: number;
  /** Where threads outlive the process; without one they live in memory only. */
  repository?: ThreadRepository;
  now?: () => number;
}

/** Holds thread records; see the module doc. */
export class ThreadRegistry {
  #store: BoundedStore<ThreadRecord>;
  #now: () => number;
  #repository?: ThreadRepository;

  constructor(options: ThreadRegistryOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#repository = options.repository;
    this.#store = new BoundedStore<ThreadRecord>({
      maxEntries: options.maxEntries,
      ttlMs: options.ttlMs,
      now: this.#now,
      isPinned: (thread) => thread.runningJobId !== undefined,
      touchedAt: (thread) => thread.lastUsedAt,
      onDrop: (thread) => this.#repository?.remove(thread.id),
    });
    const cutoff = this.#now() - this.#store.ttlMs;
    for (const thread of this.#repository?.loadAll() ?? []) {
      if (thread.lastUsedAt < cutoff) this.#repository!.remove(thread.id);
      else this.#store.set(thread.id, { ...thread });
    }
  }

  /** Number of threads known. */
  get size(): number {
    return this.#store.size;
  }

  /** Records a new thread (idempotent). */
  add(
    thread: { id: string; cwd: string; root: string; sandbox: SandboxMode; model?: string; reasoningEffort?: string },
  ): ThreadRecord {
    const existing = this.#store.get(thread.id);
    if (existing) return existing;
    const now = this.#now();
    const record: ThreadRecord = { ...thread, createdAt: now, lastUsedAt: now };
    this.#store.set(thread.id, record);
    this.#repository?.save(stored(record));
    return record;
  }

  /** The thread, unless unknown or expired. */
  get(id: string): ThreadRecord | undefined {
    return this.#store.get(id);
  }

  /** Records the model and effort a reply switched the thread to. */
  setModel(id: string, choice: { model?: string; reasoningEffort?: string }): void {
    const thread = this.#store.get(id);
    if (!thread) return;
    if (choice.model !== undefined) thread.model = choice.model;
    if (choice.reasoningEffort !== undefined) thread.reasoningEffort = choice.reasoningEffort;
    this.#repository?.save(stored(thread));
  }

  /** Marks a job as running on the thread (or none). */
  setRunning(id: string, jobId: string | undefined): void {
    const thread = this.#store.get(id);
    if (!thread) return;
    thread.runningJobId = jobId;
    thread.lastUsedAt = this.#now();
    this.#repository?.save(stored(thread));
  }
}

function stored(thread: ThreadRecord): StoredThread {
  const { runningJobId: _running, ...rest } = thread;
  return rest;
}
