/**
 * The bridge's operations in domain terms, shared by every MCP tool: apply
 * the policy (roots, sensitive files, sandbox), start a job on the upstream,
 * race it against the fast-return window, and describe jobs for polling.
 * Holds the long-lived state; MCP servers are built per request around it.
 *
 * @module
 */
import { NotFoundError, PolicyError } from "../errors.ts";
import type { Job, JobProgress, JobRegistry } from "../jobs/job_registry.ts";
import type { ThreadRegistry } from "../jobs/thread_registry.ts";
import type { Logger } from "../log.ts";
import { type AllowedRoot, resolveAllowedCwd } from "../policy/roots.ts";
import { assertNoSensitiveFiles } from "../policy/sensitive_files.ts";
import { decideSandbox, sandboxChoices } from "../policy/sandbox.ts";
import type { ApprovalPolicy, CodexUpstream, SandboxMode, UpstreamEvent, UpstreamInfo } from "../upstream/types.ts";

/** Owner settings the service enforces. */
export interface BridgePolicy {
  readonly allowWrite: boolean;
  readonly approvalPolicy: ApprovalPolicy;
  readonly fastReturnMs: number;
  /** Longest a job may run; a call may only lower it. */
  readonly timeoutMs: number;
  readonly secretScan: boolean;
}

/** Options for {@linkcode BridgeService}. */
export interface BridgeServiceOptions {
  roots: readonly AllowedRoot[];
  policy: BridgePolicy;
  upstream: CodexUpstream;
  jobs: JobRegistry;
  threads: ThreadRegistry;
  log: Logger;
  /** Facts for `bridge_status` that only the caller knows (auth mode, permissions). */
  describe?: () => Record<string, unknown>;
}

/** A job as tools show it. */
export interface JobView {
  status: "running" | "completed" | "failed";
  jobId: string;
  tool: string;
  threadId?: string;
  elapsedMs: number;
  /** Final Codex message (completed). */
  text?: string;
  /** Why it failed (failed). */
  error?: string;
  progress: JobProgress;
}

/** Inputs of `codex_read`. */
export interface ReadRequest {
  prompt: string;
  cwd?: string;
  timeoutMs?: number;
}

/** Inputs of `codex_run`. */
export interface RunRequest extends ReadRequest {
  sandbox?: string;
}

/** Inputs of `codex_reply`. */
export interface ReplyRequest {
  threadId: string;
  prompt: string;
  timeoutMs?: number;
}

/** What `bridge_status` reports. */
export interface StatusView {
  roots: string[];
  defaultCwd: string | null;
  defaultSandbox: SandboxMode;
  sandboxChoices: SandboxMode[];
  allowWrite: boolean;
  approvalPolicy: ApprovalPolicy;
  secretScan: boolean;
  fastReturnMs: number;
  timeoutMs: number;
  codex: UpstreamInfo;
  jobs: { running: number; completed: number; failed: number; maxRunning: number };
  threads: number;
  [extra: string]: unknown;
}

/** See the module doc. */
export class BridgeService {
  #o: BridgeServiceOptions;

  constructor(options: BridgeServiceOptions) {
    this.#o = options;
  }

  /** Runs Codex read-only. */
  read(request: ReadRequest): Promise<JobView> {
    return this.#startThread("codex_read", request, "read-only");
  }

  /** Runs Codex in the sandbox the caller asked for, within the owner's limits. */
  run(request: RunRequest): Promise<JobView> {
    const sandbox = decideSandbox(request.sandbox, { allowWrite: this.#o.policy.allowWrite });
    return this.#startThread("codex_run", request, sandbox);
  }

  /** Continues a thread this bridge created, in its original cwd and sandbox. */
  async reply(request: ReplyRequest): Promise<JobView> {
    const { threads, jobs, upstream, policy } = this.#o;
    const thread = threads.get(request.threadId);
    if (!thread) {
      throw new NotFoundError(
        `Unknown threadId "${request.threadId}": codex_reply only continues threads started through this bridge ` +
          `(with codex_read or codex_run) in the last hours; start a new one with codex_run`,
      );
    }
    if (thread.runningJobId) {
      throw new PolicyError(
        `Thread busy: job "${thread.runningJobId}" is still running on it; poll codex_job_status with that jobId ` +
          `and reply once it has finished`,
      );
    }
    if (policy.secretScan) await assertNoSensitiveFiles(thread.cwd);
    const job = jobs.start(
      ({ signal, onEvent }) =>
        upstream.continueThread({
          threadId: thread.id,
          prompt: request.prompt,
          cwd: thread.cwd,
          sandbox: thread.sandbox,
          approvalPolicy: policy.approvalPolicy,
          signal,
          onEvent,
        }),
      {
        tool: "codex_reply",
        threadId: thread.id,
        timeoutMs: this.#timeout(request.timeoutMs),
        onSettled: () => threads.setRunning(thread.id, undefined),
      },
    );
    threads.setRunning(thread.id, job.id);
    this.#logStart(job, thread.cwd, thread.sandbox);
    return this.#fastReturn(job);
  }

  /** Describes a job. Throws {@linkcode NotFoundError} for unknown ids. */
  jobStatus(jobId: string): JobView {
    const job = this.#o.jobs.get(jobId);
    if (!job) {
      throw new NotFoundError(
        `Unknown jobId "${jobId}": it was never issued by this bridge or expired (finished jobs are kept 6 hours); ` +
          `check you copied the exact jobId`,
      );
    }
    return view(job);
  }

  /** Everything `bridge_status` shows. Never throws because Codex is missing. */
  async status(): Promise<StatusView> {
    const { roots, policy, jobs, threads, upstream } = this.#o;
    return {
      roots: roots.map((root) => root.resolved),
      defaultCwd: roots.length === 1 ? roots[0].resolved : null,
      defaultSandbox: "read-only",
      sandboxChoices: [...sandboxChoices(policy.allowWrite)],
      allowWrite: policy.allowWrite,
      approvalPolicy: policy.approvalPolicy,
      secretScan: policy.secretScan,
      fastReturnMs: policy.fastReturnMs,
      timeoutMs: policy.timeoutMs,
      codex: await upstream.info(),
      jobs: { ...jobs.counts(), maxRunning: jobs.maxRunning },
      threads: threads.size,
      ...this.#o.describe?.(),
    };
  }

  async #startThread(tool: string, request: ReadRequest, sandbox: SandboxMode): Promise<JobView> {
    const { roots, policy, jobs, threads, upstream } = this.#o;
    const cwd = await resolveAllowedCwd(request.cwd, roots);
    if (policy.secretScan) await assertNoSensitiveFiles(cwd);
    const job = jobs.start(
      ({ signal, onEvent }) =>
        upstream.startThread({
          prompt: request.prompt,
          cwd,
          sandbox,
          approvalPolicy: policy.approvalPolicy,
          signal,
          onEvent: (event: UpstreamEvent) => {
            // Register the thread as soon as Codex names it, so replies work and
            // are refused as busy while this first turn still runs.
            if (event.kind === "thread_started") {
              threads.add({ id: event.threadId, cwd, sandbox });
              threads.setRunning(event.threadId, job.id);
            }
            onEvent(event);
          },
        }),
      {
        tool,
        timeoutMs: this.#timeout(request.timeoutMs),
        onSettled: (done) => {
          if (!done.threadId) return;
          threads.add({ id: done.threadId, cwd, sandbox });
          threads.setRunning(done.threadId, undefined);
        },
      },
    );
    this.#logStart(job, cwd, sandbox);
    return this.#fastReturn(job);
  }

  #timeout(requested: number | undefined): number {
    return Math.min(requested ?? Infinity, this.#o.policy.timeoutMs);
  }

  async #fastReturn(job: Job): Promise<JobView> {
    await this.#o.jobs.wait(job, this.#o.policy.fastReturnMs);
    return view(job);
  }

  #logStart(job: Job, cwd: string, sandbox: SandboxMode): void {
    // Never the prompt: it may hold secrets the user pasted.
    this.#o.log.info("job started", { jobId: job.id, tool: job.tool, cwd, sandbox, threadId: job.threadId });
    job.done.then(() =>
      this.#o.log.info("job finished", {
        jobId: job.id,
        status: job.status,
        elapsedMs: (job.finishedAt ?? Date.now()) - job.startedAt,
        error: job.error,
      })
    );
  }
}

function view(job: Job): JobView {
  return {
    status: job.status,
    jobId: job.id,
    tool: job.tool,
    threadId: job.threadId,
    elapsedMs: (job.finishedAt ?? Date.now()) - job.startedAt,
    text: job.text,
    error: job.error,
    progress: { ...job.progress, approvalsDeclined: [...job.progress.approvalsDeclined] },
  };
}
