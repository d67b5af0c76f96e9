/**
 * Codex jobs: started here, raced against the fast-return window, waited on
 * and cancelled by id, found again by the caller's request id, failed on
 * timeout. Knows nothing of MCP or of Codex wire formats: a job runs any
 * function that takes an abort signal and reports {@linkcode UpstreamEvent}s.
 *
 * With a repository (`state/job_repository.ts`) every job is written when it
 * starts and when it ends, and the jobs of an earlier run are loaded back: a
 * job that was still running then is `interrupted` now, with the reason.
 *
 * @module
 */
import { BoundedStore } from "./bounded_store.ts";
import { BusyError, UpstreamError } from "../errors.ts";
import type { JobRepository, StoredJob } from "../state/job_repository.ts";
import type { TurnResult, UpstreamEvent } from "../upstream/types.ts";

/** A job's state. `interrupted`: the bridge stopped while it ran. */
export type JobStatus = StoredJob["status"];

/** Every status, in the order `bridge_status` counts them. */
export const JOB_STATUSES: readonly JobStatus[] = ["running", "completed", "failed", "cancelled", "interrupted"];

/** Live activity of a job, for `codex_job_status` (its fields are documented where it is stored). */
export type JobProgress = StoredJob["progress"];

/** Bounds on what a job's progress keeps, so a status answer stays small. */
export const PROGRESS_LIMITS = { summaryChars: 600, planSteps: 20, stepChars: 200, commandChars: 500 } as const;

/** Told of every change to a job's progress while it runs. */
export type ProgressListener = (job: Job) => void;

/** One Codex job. Mutated only by the registry. */
export interface Job {
  readonly id: string;
  /** Which tool started it (`codex_read`, …), for logs and status. */
  readonly tool: string;
  readonly startedAt: number;
  status: JobStatus;
  finishedAt?: number;
  threadId?: string;
  /** Final text when completed; the last message Codex had written when cancelled. */
  text?: string;
  /** Why it failed, was cancelled or interrupted, for a person to act on. */
  error?: string;
  /** How many secret files the OS kept from Codex during this job (never which). */
  readonly hiddenFiles?: number;
  /** The caller's idempotency key, when it gave one. */
  readonly requestId?: string;
  /** The first characters of the prompt, so `codex_jobs` can tell jobs apart. */
  readonly promptPreview: string;
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
  /** Where jobs outlive the process; without one they live in memory only. */
  repository?: JobRepository;
  now?: () => number;
}

/** Options for {@linkcode JobRegistry.start}. */
export interface StartJobOptions {
  tool: string;
  timeoutMs: number;
  /** The prompt; only its first {@linkcode PROMPT_PREVIEW_CHARS} characters are kept. @default "" */
  prompt?: string;
  /** See {@linkcode Job.requestId}. */
  requestId?: string;
  /** Known up front for replies. */
  threadId?: string;
  /** See {@linkcode Job.hiddenFiles}. */
  hiddenFiles?: number;
  /** Called once when the job settles, whatever the outcome. */
  onSettled?: (job: Job) => void;
}

/** How much of a prompt a job keeps for `codex_jobs`. */
export const PROMPT_PREVIEW_CHARS = 100;

const PHASES: Record<UpstreamEvent["kind"], string | undefined> = {
  thread_started: "starting",
  reasoning_summary: "thinking",
  plan: "planning",
  // Usage reports come between the other events: they do not change what Codex is doing.
  token_usage: undefined,
  command_started: "running a command",
  command_finished: "thinking",
  agent_message: "answering",
  file_change: "editing files",
  reasoning: "thinking",
  approval_declined: "approval declined",
  other: "working",
};

/** The abort reason of a job stopped by `cancel()`, so it ends `cancelled`, not `failed`. */
class CancelRequest extends Error {
  override name = "CancelRequest";
}

/** The abort reason of a job stopped by the bridge's shutdown, so it ends `interrupted`. */
class ShutdownRequest extends UpstreamError {
  override name = "ShutdownRequest";
}

/** Holds jobs; see the module doc. */
export class JobRegistry {
  readonly maxRunning: number;
  #store: BoundedStore<Job>;
  #controllers = new Map<string, AbortController>();
  /** requestId → jobId, for jobs still in the store. */
  #byRequest = new Map<string, string>();
  /** Who follows each running job's progress (calls waiting with a progress token). */
  #listeners = new Map<string, Set<ProgressListener>>();
  /** Last agent message of each running job, kept for a cancelled job's result. */
  #lastMessage = new Map<string, string>();
  #repository?: JobRepository;
  #now: () => number;

  constructor(options: JobRegistryOptions = {}) {
    this.maxRunning = options.maxRunning ?? 4;
    this.#now = options.now ?? Date.now;
    this.#repository = options.repository;
    this.#store = new BoundedStore<Job>({
      maxEntries: options.maxEntries,
      ttlMs: options.ttlMs,
      now: this.#now,
      isPinned: (job) => job.status === "running",
      touchedAt: (job) => job.finishedAt ?? job.startedAt,
      onDrop: (job) => {
        if (job.requestId && this.#byRequest.get(job.requestId) === job.id) this.#byRequest.delete(job.requestId);
        this.#repository?.remove(job.id);
      },
    });
    if (this.#repository) this.#restore(this.#repository);
  }

  /** Number of jobs running now. */
  get running(): number {
    return this.#controllers.size;
  }

  /** Counts by status, for `bridge_status`. */
  counts(): Record<JobStatus, number> {
    const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
    for (const job of this.#store.values()) counts[job.status]++;
    return counts;
  }

  /** The job, unless unknown or expired. */
  get(id: string): Job | undefined {
    return this.#store.get(id);
  }

  /** The live job started with `requestId`, if any. */
  byRequest(requestId: string): Job | undefined {
    const id = this.#byRequest.get(requestId);
    return id === undefined ? undefined : this.#store.get(id);
  }

  /** Jobs newest first, optionally of one status, at most `limit`. */
  list(options: { status?: JobStatus; limit?: number } = {}): Job[] {
    const jobs = this.#store.values().filter((job) => !options.status || job.status === options.status);
    jobs.sort((a, b) => b.startedAt - a.startedAt);
    return jobs.slice(0, options.limit ?? jobs.length);
  }

  /**
   * Throws {@linkcode BusyError} when `maxRunning` jobs are already running;
   * callers check it before costly preparation (the secret scan).
   */
  assertCapacity(): void {
    if (this.running >= this.maxRunning) {
      throw new BusyError(
        `Busy: ${this.running} Codex jobs are already running (the owner's limit is ${this.maxRunning}); ` +
          `retry when one finishes`,
        { next: `Call codex_jobs with {"status":"running"}, then codex_job_status with a jobId and waitMs` },
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
      requestId: options.requestId,
      promptPreview: (options.prompt ?? "").slice(0, PROMPT_PREVIEW_CHARS),
      progress: { phase: "starting", events: 0, commandsStarted: 0, commandsFinished: 0, approvalsDeclined: [] },
      done: new Promise((resolve) => settle = resolve),
    };
    this.#store.set(job.id, job);
    this.#controllers.set(job.id, controller);
    if (job.requestId) this.#byRequest.set(job.requestId, job.id);
    this.#repository?.save(stored(job));
    const finish = (update: Partial<Job>) => {
      clearTimeout(timer);
      this.#controllers.delete(job.id);
      this.#lastMessage.delete(job.id);
      this.#listeners.delete(job.id);
      Object.assign(job, update, { finishedAt: this.#now() });
      this.#repository?.save(stored(job));
      options.onSettled?.(job);
      settle();
    };
    const onEvent = (event: UpstreamEvent) => this.#record(job, event);
    // Run on a later tick so a synchronous throw becomes a failed job, not an exception here.
    Promise.resolve().then(() => run({ signal: controller.signal, onEvent })).then(
      (result) => finish({ status: "completed", threadId: result.threadId, text: result.text }),
      (error) => {
        const reason = controller.signal.reason;
        if (controller.signal.aborted && reason instanceof CancelRequest) {
          finish({ status: "cancelled", error: reason.message, text: this.#lastMessage.get(job.id) });
        } else if (controller.signal.aborted && reason instanceof ShutdownRequest) {
          finish({ status: "interrupted", error: reason.message, text: this.#lastMessage.get(job.id) });
        } else {
          finish({ status: "failed", error: failureReason(error, controller.signal) });
        }
      },
    );
    return job;
  }

  /**
   * Asks a running job to stop: the upstream interrupts the turn and ends
   * what it ran; the job then ends `cancelled`. Returns false when the job is
   * not running (already finished, or unknown).
   */
  cancel(id: string, reason = "Cancelled by codex_cancel"): boolean {
    const controller = this.#controllers.get(id);
    if (!controller) return false;
    controller.abort(new CancelRequest(reason));
    return true;
  }

  /** Calls `listener` on each progress change of a running job until the returned function is called. */
  watch(job: Job, listener: ProgressListener): () => void {
    if (job.status !== "running") return () => {};
    let set = this.#listeners.get(job.id);
    if (!set) this.#listeners.set(job.id, set = new Set());
    set.add(listener);
    return () => set.delete(listener);
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

  /** Interrupts every running job (shutdown): each ends `interrupted` with `reason`. Waits for them to settle. */
  async abortAll(reason: string): Promise<void> {
    const running = this.#store.values().filter((job) => job.status === "running");
    for (const controller of this.#controllers.values()) controller.abort(new ShutdownRequest(reason));
    await Promise.all(running.map((job) => job.done));
  }

  /** Loads the jobs of an earlier run; those it left running can only have been interrupted. */
  #restore(repository: JobRepository): void {
    const cutoff = this.#now() - this.#store.ttlMs;
    for (const row of repository.loadAll()) {
      if (row.status !== "running" && (row.finishedAt ?? row.startedAt) < cutoff) {
        repository.remove(row.id);
        continue;
      }
      const job: Job = { ...row, done: Promise.resolve() };
      if (job.status === "running") {
        Object.assign(job, {
          status: "interrupted",
          finishedAt: this.#now(),
          error: "The bridge stopped while this job ran (restart or crash); Codex did not finish it",
        });
        repository.save(stored(job));
      }
      this.#store.set(job.id, job);
      if (job.requestId) this.#byRequest.set(job.requestId, job.id);
    }
  }

  #record(job: Job, event: UpstreamEvent): void {
    if (job.status !== "running") return;
    const progress = job.progress;
    progress.events++;
    progress.lastEventAt = this.#now();
    progress.phase = PHASES[event.kind] ?? progress.phase;
    switch (event.kind) {
      case "thread_started":
        job.threadId = event.threadId;
        // Saved now, so a job interrupted by a crash still names its thread.
        this.#repository?.save(stored(job));
        break;
      case "command_started":
        progress.commandsStarted++;
        progress.lastCommand = event.command.slice(0, PROGRESS_LIMITS.commandChars);
        break;
      case "reasoning_summary":
        progress.reasoningSummary = event.text.slice(-PROGRESS_LIMITS.summaryChars);
        break;
      case "plan":
        progress.plan = event.steps.slice(0, PROGRESS_LIMITS.planSteps).map((entry) => ({
          step: entry.step.slice(0, PROGRESS_LIMITS.stepChars),
          status: entry.status.slice(0, 32),
        }));
        break;
      case "token_usage":
        progress.tokens = { ...event.usage };
        break;
      case "command_finished":
        progress.commandsFinished++;
        break;
      case "agent_message":
        this.#lastMessage.set(job.id, event.text);
        break;
      case "approval_declined":
        // Bounded like the rest: a Codex that asks forever cannot grow the job.
        if (progress.approvalsDeclined.length < PROGRESS_LIMITS.planSteps) {
          progress.approvalsDeclined.push(event.request.slice(0, PROGRESS_LIMITS.commandChars));
        }
        break;
    }
    for (const listener of this.#listeners.get(job.id) ?? []) listener(job);
  }
}

/** The part of a job that is written down. */
function stored(job: Job): StoredJob {
  const { done: _done, ...rest } = job;
  return { ...rest, progress: structuredClone(job.progress) };
}

function failureReason(error: unknown, signal: AbortSignal): string {
  // An abort's reason is more telling than the adapter's generic "aborted".
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  return error instanceof Error ? error.message : String(error);
}
