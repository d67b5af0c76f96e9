/**
 * The bridge's operations in domain terms, shared by every MCP tool: apply
 * the policy (roots, sandbox, then the confinement of the turn: what Codex may
 * read and write, with every secret hidden), start a job on the upstream,
 * race it against the fast-return window, and describe jobs for polling.
 * Holds the long-lived state; MCP servers are built per request around it.
 *
 * @module
 */
import { NotFoundError, PolicyError, UpstreamError } from "../errors.ts";
import { allowedModels, decideModel, type ModelCeiling, type ModelDecision } from "../policy/models.ts";
import type { Job, JobProgress, JobRegistry, JobStatus } from "../jobs/job_registry.ts";
export { JOB_STATUSES } from "../jobs/job_registry.ts";
import type { ThreadRecord, ThreadRegistry } from "../jobs/thread_registry.ts";
import type { Logger } from "../log.ts";
import type { AuditLog } from "../audit/audit_log.ts";
import { type AllowedRoot, isPathInside, resolveAllowedCwd } from "../policy/roots.ts";
import { buildConfinement } from "../policy/profile.ts";
import type { SecretScan } from "../policy/secrets.ts";
import { decideSandbox, sandboxChoices } from "../policy/sandbox.ts";
import type {
  ApprovalPolicy,
  CodexUpstream,
  Confinement,
  ModelChoice,
  SandboxMode,
  UpstreamEvent,
  UpstreamInfo,
} from "../upstream/types.ts";

/** Owner settings the service enforces. */
export interface BridgePolicy {
  readonly allowWrite: boolean;
  readonly approvalPolicy: ApprovalPolicy;
  readonly fastReturnMs: number;
  /** Longest a job may run; a call may only lower it. */
  readonly timeoutMs: number;
  readonly secretScan: boolean;
  /** Run a Codex that cannot be confined anyway (`--allow-unconfined-codex`). */
  readonly allowUnconfined: boolean;
  /** The owner's extra read-only folders for Codex, resolved. @default [] */
  readonly readPaths?: readonly string[];
  /** Codex's own install folder, readable in every turn. */
  readonly codexInstall?: string;
  /** CODEX_HOME, never readable by Codex. */
  readonly codexHome?: string;
  /** Models a call may choose (`--models`); empty or absent: any Codex offers. */
  readonly models?: readonly string[];
  /** Highest reasoning effort a call may choose (`--max-reasoning-effort`). */
  readonly maxReasoningEffort?: string;
}

/** Finds the secrets to hide under a folder (see `policy/secrets.ts`). */
export interface SecretSource {
  scan(dir: string): Promise<SecretScan>;
}

/** Options for {@linkcode BridgeService}. */
export interface BridgeServiceOptions {
  roots: readonly AllowedRoot[];
  policy: BridgePolicy;
  upstream: CodexUpstream;
  jobs: JobRegistry;
  threads: ThreadRegistry;
  secrets: SecretSource;
  log: Logger;
  /** Where delegations and outcomes are recorded; none in tests that do not look. */
  audit?: AuditLog;
  /** Facts for `bridge_status` that only the caller knows (auth mode, permissions). */
  describe?: () => Record<string, unknown>;
}

/** A job as tools show it. */
export interface JobView {
  status: JobStatus;
  jobId: string;
  tool: string;
  threadId?: string;
  elapsedMs: number;
  /** Final Codex message (completed), or the last one it wrote before it was cancelled. */
  text?: string;
  /** Why it failed, was cancelled or interrupted. */
  error?: string;
  /** How many secret files were kept from Codex (confined jobs). */
  hiddenFiles?: number;
  progress: JobProgress;
}

/** What the service knows of one caller, whichever door it came through. */
export interface CallOptions {
  /** When the caller stops listening (ms since the epoch), e.g. a tunnel command's `response_timeout`. */
  deadline?: number;
  /** Who is calling (`authInfo.clientId`), for the audit trail. */
  clientId?: string;
  /** Told of the job's progress while this call waits for it (the caller sent a progress token). */
  onProgress?: (view: JobView) => void;
}

/** How long before a caller's deadline an answer is sent, so it arrives in time. */
export const DEADLINE_MARGIN_MS = 3000;

/** Inputs of `codex_read`. */
export interface ReadRequest {
  prompt: string;
  cwd?: string;
  timeoutMs?: number;
  /** The caller's idempotency key: the same one again returns the same job. */
  requestId?: string;
  /** A model Codex offers and the owner allows; absent: Codex's default. */
  model?: string;
  /** A reasoning effort the model supports, within the owner's ceiling. */
  reasoningEffort?: string;
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
  /** See {@linkcode ReadRequest.requestId}. */
  requestId?: string;
  /** Switches the thread to another allowed model; absent: the thread's own. */
  model?: string;
  /** Switches the thread to another allowed effort; absent: the thread's own. */
  reasoningEffort?: string;
}

/** Inputs of `codex_jobs`. */
export interface ListJobsRequest {
  status?: JobStatus;
  /** @default 20 */
  limit?: number;
}

/** One line of `codex_jobs`. */
export interface JobSummary {
  jobId: string;
  tool: string;
  status: JobStatus;
  elapsedMs: number;
  threadId?: string;
  /** The first 100 characters of the prompt. */
  prompt: string;
  startedAt: number;
}

/** How long `codex_job_status` waits by default, and at most. */
export const JOB_WAIT_DEFAULT_MS = 20_000;
/** See {@linkcode JOB_WAIT_DEFAULT_MS}. */
export const JOB_WAIT_MAX_MS = 50_000;
/** How long Codex may take to list its models. */
const MODEL_LIST_WAIT_MS = 5_000;

/** How long `codex_cancel` waits for Codex to confirm before answering. */
export const CANCEL_WAIT_MS = 15_000;

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
  models: ModelsView;
  confinement: ConfinementView;
  jobs: Record<JobStatus, number> & { maxRunning: number };
  threads: number;
  [extra: string]: unknown;
}

/** What `bridge_status` says of model choice. */
export interface ModelsView {
  /** What a call may pass as model / reasoningEffort; without them Codex's default applies. */
  choices: ModelChoice[];
  ownerModels: string[];
  maxReasoningEffort?: string;
  /** Why Codex's own list is unknown, when it is. */
  problem?: string;
}

/** What `bridge_status` says of the confinement in force. */
export interface ConfinementView {
  /** `permission-profile`: the OS enforces it; `unconfined`: the owner ran a Codex that cannot; `refused`. */
  mode: "permission-profile" | "unconfined" | "refused";
  /** Why Codex cannot be confined, when it cannot. */
  problem?: string;
  /** Each turn reads only the root holding its cwd, plus these and the minimal system set. */
  readable: string[];
  /** Where workspace-write turns may write (the turn's own root only). */
  writable: string[];
  network: "off";
  /** Secret files hidden in the last scan of each root and read path, by folder. */
  hiddenFiles: Record<string, number>;
}

/** See the module doc. */
export class BridgeService {
  #o: BridgeServiceOptions;
  /** Last hidden set per scanned folder, so the log names it when it changes. */
  #hidden = new Map<string, readonly string[]>();
  /** Jobs being prepared (policy checks, secret scan), by requestId. */
  #starting = new Map<string, { tool: string; promise: Promise<Job> }>();

  constructor(options: BridgeServiceOptions) {
    this.#o = options;
  }

  /** Runs Codex read-only. */
  read(request: ReadRequest, call: CallOptions = {}): Promise<JobView> {
    return this.#once(
      "codex_read",
      request.requestId,
      call,
      () => this.#startThread("codex_read", request, "read-only", call),
    );
  }

  /** Runs Codex in the sandbox the caller asked for, within the owner's limits. */
  run(request: RunRequest, call: CallOptions = {}): Promise<JobView> {
    return this.#once("codex_run", request.requestId, call, () => {
      const sandbox = decideSandbox(request.sandbox, { allowWrite: this.#o.policy.allowWrite });
      return this.#startThread("codex_run", request, sandbox, call);
    });
  }

  /** Continues a thread this bridge created, in its original cwd and sandbox. */
  reply(request: ReplyRequest, call: CallOptions = {}): Promise<JobView> {
    return this.#once("codex_reply", request.requestId, call, () => this.#startReply(request, call));
  }

  async #startReply(request: ReplyRequest, call: CallOptions): Promise<Job> {
    const { threads, jobs, upstream, policy } = this.#o;
    const thread = threads.get(request.threadId);
    if (!thread) {
      throw new NotFoundError(
        `Unknown threadId "${request.threadId}": codex_reply only continues threads started through this bridge ` +
          `(with codex_read or codex_run) in the last hours`,
        { next: `Start a new thread with codex_run (see bridge_status for the roots)` },
      );
    }
    if (thread.runningJobId) {
      throw new PolicyError(
        `Thread busy: job "${thread.runningJobId}" is still running on it; reply once it has finished`,
        {
          next: `Call codex_job_status with ${
            JSON.stringify({ jobId: thread.runningJobId, waitMs: JOB_WAIT_DEFAULT_MS })
          }`,
        },
      );
    }
    await assertCwdUnchanged(thread);
    jobs.assertCapacity();
    // The thread keeps its choice unless the reply names another; checked again (the owner's ceiling may be lower now).
    const choice = await this.#chooseModel({
      model: request.model ?? thread.model,
      reasoningEffort: request.reasoningEffort ?? thread.reasoningEffort,
    });
    const confinement = await this.#confine(thread.root, thread.cwd, thread.sandbox);
    const job = jobs.start(
      ({ signal, onEvent }) =>
        upstream.continueThread({
          threadId: thread.id,
          prompt: request.prompt,
          cwd: thread.cwd,
          sandbox: thread.sandbox,
          confinement,
          approvalPolicy: policy.approvalPolicy,
          ...choice,
          signal,
          onEvent,
        }),
      {
        tool: "codex_reply",
        prompt: request.prompt,
        requestId: request.requestId,
        threadId: thread.id,
        timeoutMs: this.#timeout(request.timeoutMs),
        hiddenFiles: confinement ? this.#secretCount(confinement) : undefined,
        onSettled: () => threads.setRunning(thread.id, undefined),
      },
    );
    threads.setRunning(thread.id, job.id);
    threads.setModel(thread.id, choice);
    this.#logStart(job, { root: thread.root, cwd: thread.cwd, sandbox: thread.sandbox, ...choice }, request, call);
    return job;
  }

  /**
   * Describes a job once it has finished or `waitMs` has passed (never past
   * the caller's deadline). Throws {@linkcode NotFoundError} for unknown ids.
   */
  async jobStatus(jobId: string, waitMs = 0, call: CallOptions = {}): Promise<JobView> {
    const job = this.#job(jobId);
    await this.#wait(job, Math.min(waitMs, JOB_WAIT_MAX_MS), call);
    return view(job);
  }

  /**
   * Stops a running job: Codex interrupts the turn and ends the commands it
   * ran; the thread stays usable. Answers once the job has ended (or, should
   * Codex be slow to confirm, still running with the cancel requested).
   */
  async cancel(jobId: string, call: CallOptions = {}): Promise<JobView> {
    const job = this.#job(jobId);
    if (!this.#o.jobs.cancel(jobId)) {
      throw new PolicyError(
        `Job "${jobId}" is not running (it is ${job.status}); only a running job can be cancelled`,
        { next: `Call codex_job_status with ${JSON.stringify({ jobId })} to read its result` },
      );
    }
    this.#o.log.info("job cancel requested", { jobId });
    await this.#wait(job, CANCEL_WAIT_MS, call);
    return view(job);
  }

  /** Recent jobs, newest first. */
  listJobs(request: ListJobsRequest = {}): JobSummary[] {
    return this.#o.jobs.list({ status: request.status, limit: request.limit ?? 20 }).map((job) => ({
      jobId: job.id,
      tool: job.tool,
      status: job.status,
      elapsedMs: (job.finishedAt ?? Date.now()) - job.startedAt,
      ...(job.threadId ? { threadId: job.threadId } : {}),
      prompt: job.promptPreview,
      startedAt: job.startedAt,
    }));
  }

  /** The paths `bridge_status` shows anyway (roots, read paths, Codex's folder): tool errors may name them. */
  shownPaths(): string[] {
    const { roots, policy } = this.#o;
    return [
      ...roots.map((root) => root.resolved),
      ...(policy.readPaths ?? []),
      ...(policy.codexInstall ? [policy.codexInstall] : []),
    ];
  }

  #job(jobId: string): Job {
    const job = this.#o.jobs.get(jobId);
    if (!job) {
      throw new NotFoundError(
        `Unknown jobId "${jobId}": it was never issued by this bridge or expired (finished jobs are kept 6 hours)`,
        { next: `Call codex_jobs to list recent jobs and their jobIds` },
      );
    }
    return job;
  }

  /**
   * Starts a job unless `requestId` already started one, and answers within
   * the fast-return window. A retry that arrives while the first call is
   * still preparing its job waits for that job instead of starting another.
   */
  async #once(tool: string, requestId: string | undefined, call: CallOptions, start: () => Promise<Job>) {
    let job: Job;
    if (requestId === undefined) {
      job = await start();
    } else {
      const existing = this.#o.jobs.byRequest(requestId);
      const pending = this.#starting.get(requestId);
      if (existing || pending) {
        job = existing ?? await pending!.promise;
        if (job.tool !== tool) {
          throw new PolicyError(
            `requestId "${requestId}" was already used for a ${job.tool} call (job "${job.id}"); a requestId names ` +
              `one request`,
            { next: `Call codex_job_status with ${JSON.stringify({ jobId: job.id })}, or retry with a new requestId` },
          );
        }
      } else {
        const starting = { tool, promise: start() };
        this.#starting.set(requestId, starting);
        try {
          job = await starting.promise;
        } finally {
          this.#starting.delete(requestId);
        }
      }
    }
    return this.#fastReturn(job, call);
  }

  /** The models and efforts a call may choose, for `bridge_status`; a Codex that cannot say is named so. */
  async #modelsView(): Promise<ModelsView> {
    const ceiling = this.#ceiling();
    const limits = {
      ownerModels: [...ceiling.models],
      ...(ceiling.maxReasoningEffort ? { maxReasoningEffort: ceiling.maxReasoningEffort } : {}),
    };
    try {
      const offered = await this.#offeredModels();
      if (!offered) {
        return { ...limits, choices: ceiling.models.map((model) => ({ model, efforts: [], isDefault: false })) };
      }
      return { ...limits, choices: allowedModels(offered, ceiling) };
    } catch (error) {
      return { ...limits, choices: [], problem: (error as Error).message };
    }
  }

  /** Everything `bridge_status` shows. Never throws because Codex is missing. */
  async status(): Promise<StatusView> {
    const { roots, policy, jobs, threads, upstream } = this.#o;
    const codex = await upstream.info();
    const confinement: ConfinementView = {
      mode: codex.confinement.supported ? "permission-profile" : policy.allowUnconfined ? "unconfined" : "refused",
      ...(codex.confinement.supported ? {} : { problem: codex.confinement.problem }),
      readable: [
        ...roots.map((root) => root.resolved),
        ...(policy.codexInstall ? [policy.codexInstall] : []),
        ...(policy.readPaths ?? []),
      ],
      writable: policy.allowWrite ? roots.map((root) => root.resolved) : [],
      network: "off",
      hiddenFiles: Object.fromEntries([...this.#hidden].map(([dir, hidden]) => [dir, hidden.length])),
    };
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
      codex,
      models: await this.#modelsView(),
      confinement,
      jobs: { ...jobs.counts(), maxRunning: jobs.maxRunning },
      threads: threads.size,
      ...(this.#o.audit ? { audit: { file: this.#o.audit.file, prompts: this.#o.audit.prompts } } : {}),
      ...this.#o.describe?.(),
    };
  }

  async #startThread(tool: string, request: ReadRequest, sandbox: SandboxMode, call: CallOptions): Promise<Job> {
    const { roots, policy, jobs, threads, upstream } = this.#o;
    const cwd = await resolveAllowedCwd(request.cwd, roots);
    const root = rootOf(cwd, roots);
    jobs.assertCapacity();
    const choice = await this.#chooseModel(request);
    const confinement = await this.#confine(root, cwd, sandbox);
    const job = jobs.start(
      ({ signal, onEvent }) =>
        upstream.startThread({
          prompt: request.prompt,
          cwd,
          sandbox,
          confinement,
          approvalPolicy: policy.approvalPolicy,
          ...choice,
          signal,
          onEvent: (event: UpstreamEvent) => {
            // Register the thread as soon as Codex names it, so replies work and
            // are refused as busy while this first turn still runs.
            if (event.kind === "thread_started") {
              threads.add({ id: event.threadId, cwd, root, sandbox, ...choice });
              threads.setRunning(event.threadId, job.id);
            }
            onEvent(event);
          },
        }),
      {
        tool,
        prompt: request.prompt,
        requestId: request.requestId,
        timeoutMs: this.#timeout(request.timeoutMs),
        hiddenFiles: confinement ? this.#secretCount(confinement) : undefined,
        onSettled: (done) => {
          if (!done.threadId) return;
          threads.add({ id: done.threadId, cwd, root, sandbox, ...choice });
          threads.setRunning(done.threadId, undefined);
        },
      },
    );
    this.#logStart(job, { root, cwd, sandbox, ...choice }, request, call);
    return job;
  }

  /** Checks a requested model and effort against what Codex offers and the owner allows (see `policy/models.ts`). */
  async #chooseModel(requested: { model?: string; reasoningEffort?: string }): Promise<ModelDecision> {
    if (requested.model === undefined && requested.reasoningEffort === undefined) return {};
    const offered = await this.#offeredModels();
    return decideModel(requested, offered, this.#ceiling());
  }

  #ceiling(): ModelCeiling {
    const { models = [], maxReasoningEffort } = this.#o.policy;
    return { models, maxReasoningEffort };
  }

  /** What Codex offers, within a few seconds; a Codex that cannot answer refuses the choice, clearly. */
  async #offeredModels(): Promise<ModelChoice[] | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) =>
      timer = setTimeout(() => reject(new UpstreamError("Codex did not list its models in time")), MODEL_LIST_WAIT_MS)
    );
    try {
      return await Promise.race([this.#o.upstream.listModels(), late]);
    } catch (error) {
      throw new UpstreamError(`Cannot check the model: ${(error as Error).message}`, {
        next: "Leave model and reasoningEffort out to use Codex's default, or call bridge_status",
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The confinement of one turn, computed afresh each time (a secret that
   * appeared since the last turn is hidden too). Undefined only for a Codex
   * that cannot be confined and that the owner chose to run anyway; then
   * any secret in the root refuses the turn, as Codex could read it.
   */
  async #confine(root: string, cwd: string, sandbox: SandboxMode): Promise<Confinement | undefined> {
    const { policy, upstream } = this.#o;
    const { confinement: support } = await upstream.info();
    const readPaths = policy.readPaths ?? [];
    if (!support.supported) {
      if (!policy.allowUnconfined) {
        throw new PolicyError(
          `Refused: ${support.problem}. Until then the owner may start the bridge with --allow-unconfined-codex ` +
            `(Codex could then read anything on this machine)`,
        );
      }
      if (policy.secretScan) {
        const secrets = await this.#scan([root]);
        if (secrets.length > 0) {
          throw new PolicyError(
            `Refused: ${secrets.length} secret file(s) under the root "${root}" (the owner's log names them), and ` +
              `this Codex cannot be kept from reading them. The owner must move them out of the root or upgrade Codex`,
          );
        }
      }
      return undefined;
    }
    const secrets = policy.secretScan ? await this.#scan([root, ...readPaths]) : [];
    return buildConfinement({
      root,
      cwd,
      sandbox,
      codexInstall: policy.codexInstall,
      readPaths,
      secrets,
      codexHome: policy.codexHome,
    });
  }

  /** Secrets of every folder; a folder that could not be fully checked refuses the turn. */
  async #scan(dirs: readonly string[]): Promise<string[]> {
    const all: string[] = [];
    for (const dir of dirs) {
      const result = await this.#o.secrets.scan(dir);
      if (result.status === "incomplete") {
        throw new PolicyError(
          `Refused: the secret scan of "${dir}" could not finish (${result.reason}), so it cannot be shown which ` +
            `files to hide from Codex. The owner may choose a smaller root or start with --disable-secret-scan`,
        );
      }
      if (this.#hidden.get(dir)?.join("\0") !== result.hidden.join("\0")) {
        this.#o.log.info("secrets hidden from Codex", { dir, count: result.hidden.length, paths: result.hidden });
      }
      this.#hidden.set(dir, result.hidden);
      all.push(...result.hidden);
    }
    return all;
  }

  /** Hidden files found by the scan (the private system files are not counted). */
  #secretCount(confinement: Confinement): number {
    return confinement.hidden.filter((path) => confinement.readable.some((dir) => isPathInside(path, dir))).length;
  }

  #timeout(requested: number | undefined): number {
    return Math.min(requested ?? Infinity, this.#o.policy.timeoutMs);
  }

  async #fastReturn(job: Job, call: CallOptions): Promise<JobView> {
    await this.#wait(job, this.#o.policy.fastReturnMs, call);
    return view(job);
  }

  /** Waits for the job within `ms` and the caller's deadline, telling the caller of its progress meanwhile. */
  async #wait(job: Job, ms: number, call: CallOptions): Promise<void> {
    const { onProgress } = call;
    const stop = onProgress ? this.#o.jobs.watch(job, (changed) => onProgress(view(changed))) : undefined;
    try {
      await this.#o.jobs.wait(job, waitWithin(ms, call));
    } finally {
      stop?.();
    }
  }

  #logStart(
    job: Job,
    where: { root: string; cwd: string; sandbox: SandboxMode; model?: string; reasoningEffort?: string },
    request: { prompt: string; requestId?: string },
    call: CallOptions,
  ): void {
    const { log, audit } = this.#o;
    // Never the prompt in the log: it may hold secrets the user pasted.
    log.info("job started", { jobId: job.id, tool: job.tool, ...where, threadId: job.threadId });
    const who = call.clientId === undefined ? {} : { clientId: call.clientId };
    audit?.delegation({
      tool: job.tool,
      jobId: job.id,
      threadId: job.threadId,
      ...where,
      ...who,
      requestId: request.requestId,
      prompt: request.prompt,
    });
    job.done.then(() => {
      const durationMs = (job.finishedAt ?? Date.now()) - job.startedAt;
      log.info("job finished", { jobId: job.id, status: job.status, elapsedMs: durationMs, error: job.error });
      audit?.outcome({
        tool: job.tool,
        jobId: job.id,
        threadId: job.threadId,
        ...where,
        ...who,
        status: job.status,
        durationMs,
        error: job.error,
      });
    });
  }
}

/** `ms`, shortened so the answer reaches a caller with a deadline in time. */
export function waitWithin(ms: number, call: CallOptions, now = Date.now()): number {
  if (call.deadline === undefined) return ms;
  return Math.max(0, Math.min(ms, call.deadline - DEADLINE_MARGIN_MS - now));
}

/** The allowed root holding `cwd` (the innermost when roots nest). */
function rootOf(cwd: string, roots: readonly AllowedRoot[]): string {
  const holding = roots.filter((root) => isPathInside(cwd, root.resolved)).map((root) => root.resolved);
  return holding.sort((a, b) => b.length - a.length)[0];
}

/**
 * Refuses a reply when the thread's cwd no longer resolves to itself: a
 * symlink swapped in since the thread started could point Codex elsewhere.
 */
async function assertCwdUnchanged(thread: ThreadRecord): Promise<void> {
  const real = await Deno.realPath(thread.cwd).catch(() => undefined);
  if (real === thread.cwd) return;
  throw new PolicyError(
    `Refused: the thread's working directory "${thread.cwd}" ` +
      (real ? `now resolves to "${real}" (a symlink replaced it)` : "no longer exists") +
      `; start a new thread with codex_run`,
  );
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
    hiddenFiles: job.hiddenFiles,
    progress: structuredClone(job.progress),
  };
}
