/**
 * Codex jobs: started here, raced against the fast-return window, polled by
 * id, failed on timeout. Knows nothing of MCP or of Codex wire formats: a job
 * runs any function that takes an abort signal and reports
 * {@linkcode UpstreamEvent}s.
 *
 * @module
 */
import { BoundedStore } from "./bounded_store.ts";
import { BusyError, UpstreamError } from "../errors.ts";
import type { TurnResult, UpstreamEvent } from "../upstream/types.ts";

/** A job's state. */
export type JobStatus = "running" | "completed" | "failed";

/** Live activity of a job, for `codex_job_status`. */
export interface JobProgress {
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
}

/** One Codex job. Mutated only by the registry. */
export interface Job {
  readonly id: string;
  /** Which tool started it (`codex_read`, …), for logs and status. */
  readonly tool: string;
  readonly startedAt: number;
  status: JobStatus;
  finishedAt?: number;
  threadId?: string;
  /** Final text, when completed. */
  text?: string;
  /** Why it failed, for a person to act on. */
  error?: string;
  /** How many secret files the OS kept from Codex during this job (never which). */
  readonly hiddenFiles?: number;
  progress: JobProgress;
  /** Settles (never rejects) when the job finishes. */
  readonly done: Promise<void>;
}

/** What a job runs: one upstream turn. */
export type JobRunner = (context: {
  signal: AbortSignal;
  onEvent: (event: UpstreamEvent) => void;
}) => Promise<TurnResult>;

/** Options for {@linkcode JobRegistry}. */
export interface JobRegistryOptions {
  /** Most jobs running at once. @default 4 */
  maxRunning?: number;
  /** Most jobs kept. @default 1000 */
  maxEntries?: number;
  /** How long a finished job stays retrievable. @default 6 hours */
  ttlMs?: number;
  now?: () => number;
}

/** Options for {@linkcode JobRegistry.start}. */
export interface StartJobOptions {
  tool: string;
  timeoutMs: number;
  /** Known up front for replies. */
  threadId?: string;
  /** See {@linkcode Job.hiddenFiles}. */
  hiddenFiles?: number;
  /** Called once when the job settles, whatever the outcome. */
  onSettled?: (job: Job) => void;
}

const PHASES: Record<UpstreamEvent["kind"], string> = {
  thread_started: "starting",
  command_started: "running a command",
  command_finished: "thinking",
  agent_message: "answering",
  file_change: "editing files",
  reasoning: "thinking",
  approval_declined: "approval declined",
  other: "working",
};

/** Holds jobs; see the module doc. */
export class JobRegistry {
  readonly maxRunning: number;
  #store: BoundedStore<Job>;
  #controllers = new Map<string, AbortController>();
  #now: () => number;

  constructor(options: JobRegistryOptions = {}) {
    this.maxRunning = options.maxRunning ?? 4;
    this.#now = options.now ?? Date.now;
    this.#store = new BoundedStore<Job>({
      maxEntries: options.maxEntries,
      ttlMs: options.ttlMs,
      now: this.#now,
      isPinned: (job) => job.status === "running",
      touchedAt: (job) => job.finishedAt ?? job.startedAt,
    });
  }

  /** Number of jobs running now. */
  get running(): number {
    return this.#controllers.size;
  }

  /** Counts by status, for `bridge_status`. */
  counts(): Record<JobStatus, number> {
    const counts = { running: 0, completed: 0, failed: 0 };
    for (const job of this.#store.values()) counts[job.status]++;
    return counts;
  }

  /** The job, unless unknown or expired. */
  get(id: string): Job | undefined {
    return this.#store.get(id);
  }

  /**
   * Throws {@linkcode BusyError} when `maxRunning` jobs are already running;
   * callers check it before costly preparation (the secret scan).
   */
  assertCapacity(): void {
    if (this.running >= this.maxRunning) {
      throw new BusyError(
        `Busy: ${this.running} Codex jobs are already running (the owner's limit is ${this.maxRunning}); ` +
          `retry when one finishes (poll them with codex_job_status)`,
      );
    }
  }

  /**
   * Starts a job now. Throws {@linkcode BusyError} when `maxRunning` jobs
   * are already running.
   */
  start(run: JobRunner, options: StartJobOptions): Job {
    this.assertCapacity();
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new UpstreamError(`Timed out after ${options.timeoutMs} ms; Codex was interrupted`)),
      options.timeoutMs,
    );
    let settle!: () => void;
    const job: Job = {
      id: crypto.randomUUID(),
      tool: options.tool,
      startedAt: this.#now(),
      status: "running",
      threadId: options.threadId,
      hiddenFiles: options.hiddenFiles,
      progress: { phase: "starting", events: 0, commandsStarted: 0, commandsFinished: 0, approvalsDeclined: [] },
      done: new Promise((resolve) => settle = resolve),
    };
    this.#store.set(job.id, job);
    this.#controllers.set(job.id, controller);
    const finish = (update: Partial<Job>) => {
      clearTimeout(timer);
      this.#controllers.delete(job.id);
      Object.assign(job, update, { finishedAt: this.#now() });
      options.onSettled?.(job);
      settle();
    };
    const onEvent = (event: UpstreamEvent) => this.#record(job, event);
    // Run on a later tick so a synchronous throw becomes a failed job, not an exception here.
    Promise.resolve().then(() => run({ signal: controller.signal, onEvent })).then(
      (result) => finish({ status: "completed", threadId: result.threadId, text: result.text }),
      (error) => finish({ status: "failed", error: failureReason(error, controller.signal) }),
    );
    return job;
  }

  /**
   * Waits up to `ms` for the job to finish. Returns whether it did; the
   * timer is cleared either way.
   */
  async wait(job: Job, ms: number): Promise<boolean> {
    if (job.status !== "running") return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
    try {
      return await Promise.race([job.done.then(() => true), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborts every running job (shutdown) and waits for them to settle. */
  async abortAll(reason: string): Promise<void> {
    const running = this.#store.values().filter((job) => job.status === "running");
    for (const controller of this.#controllers.values()) controller.abort(new UpstreamError(reason));
    await Promise.all(running.map((job) => job.done));
  }

  #record(job: Job, event: UpstreamEvent): void {
    if (job.status !== "running") return;
    const progress = job.progress;
    progress.events++;
    progress.lastEventAt = this.#now();
    progress.phase = PHASES[event.kind];
    switch (event.kind) {
      case "thread_started":
        job.threadId = event.threadId;
        break;
      case "command_started":
        progress.commandsStarted++;
        progress.lastCommand = event.command;
        break;
      case "command_finished":
        progress.commandsFinished++;
        break;
      case "approval_declined":
        progress.approvalsDeclined.push(event.request);
        break;
    }
  }
}

function failureReason(error: unknown, signal: AbortSignal): string {
  // An abort's reason is more telling than the adapter's generic "aborted".
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  return error instanceof Error ? error.message : String(error);
}
