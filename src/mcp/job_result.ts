/**
 * Turns job views and errors into MCP tool results. Only `structuredContent`
 * reaches ChatGPT's model, so it carries everything: the job, and a `next`
 * field naming the exact call to make next, with its arguments. Errors get
 * the same shape (`error` + `next`), mirrored as text for other clients, and
 * never carry URLs, ports or paths of the owner's machine.
 *
 * @module
 */
import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { BridgeError, BusyError, NotFoundError, PolicyError } from "../errors.ts";
import { JOB_STATUSES, JOB_WAIT_DEFAULT_MS, type JobView } from "../service/bridge_service.ts";
import { withCachedJsonSchema } from "./cached_schema.ts";
import { redactLocalDetails } from "./redact.ts";

/** Output schema shared by every tool that returns a job. */
export const jobOutputSchema = withCachedJsonSchema(z.object({
  status: z.enum(JOB_STATUSES as [string, ...string[]]).describe(
    "running: call codex_job_status with jobId and waitMs; interrupted: the bridge restarted during the job",
  ),
  jobId: z.string(),
  tool: z.string(),
  threadId: z.string().optional().describe("Pass to codex_reply to continue the conversation"),
  elapsedMs: z.number(),
  text: z.string().optional().describe("Codex's final message (completed), or its last one (cancelled)"),
  error: z.string().optional().describe("Why the job failed, was cancelled or interrupted"),
  hiddenFiles: z.number().optional().describe("Secret files the OS kept from Codex in this job (never named)"),
  progress: z.object({
    phase: z.string(),
    events: z.number(),
    commandsStarted: z.number(),
    commandsFinished: z.number(),
    lastCommand: z.string().optional(),
    approvalsDeclined: z.array(z.string()),
    lastEventAt: z.number().optional(),
    reasoningSummary: z.string().optional().describe("The end of Codex's latest reasoning summary"),
    plan: z.array(z.object({ step: z.string(), status: z.string() })).optional().describe("Codex's plan"),
    tokens: z.object({
      inputTokens: z.number(),
      cachedInputTokens: z.number(),
      outputTokens: z.number(),
      reasoningOutputTokens: z.number(),
      totalTokens: z.number(),
    }).optional().describe("Tokens the thread has used so far"),
  }),
  next: z.string().describe("Exactly what to call next, with its arguments"),
}));

/** `Call tool with {…}`, the form every `next` hint takes. */
export function callHint(tool: string, args: Record<string, unknown>): string {
  return `Call ${tool} with ${JSON.stringify(args)}`;
}

function nextStep(view: JobView): string {
  const reply = view.threadId ? callHint("codex_reply", { threadId: view.threadId, prompt: "…" }) : undefined;
  switch (view.status) {
    case "running":
      return `Codex is still working. ${
        callHint("codex_job_status", { jobId: view.jobId, waitMs: JOB_WAIT_DEFAULT_MS })
      }` +
        ` (it answers as soon as the job ends); stop it with codex_cancel {"jobId":"${view.jobId}"}`;
    case "completed":
      return reply ? `Done. To follow up in the same conversation: ${reply}` : "Done. Start new work with codex_run";
    case "cancelled":
      return reply
        ? `Cancelled; the thread is kept. To continue it: ${reply}`
        : "Cancelled before Codex started a thread. Start again with codex_run if needed";
    case "interrupted":
      return reply
        ? `The bridge restarted while Codex worked, so the turn did not finish. To redo it in the same thread: ${reply}`
        : "The bridge restarted before Codex started a thread. Start again with codex_run";
    default:
      return reply
        ? `Codex failed (see error). To retry in the same thread: ${reply}; call bridge_status if it fails again`
        : "Codex failed (see error). Call bridge_status to check Codex, then retry with codex_run";
  }
}

/** A tool result for a job: an error result when it failed or was interrupted (a cancel is what was asked). */
export function jobResult(view: JobView, shownPaths: readonly string[]): CallToolResult {
  const error = view.error === undefined ? {} : { error: redactLocalDetails(view.error, shownPaths) };
  const text = view.text === undefined ? {} : { text: view.text };
  const structured = { ...view, ...text, ...error, next: nextStep(view) };
  return {
    content: [{ type: "text", text: JSON.stringify(structured) }],
    structuredContent: structured,
    isError: view.status === "failed" || view.status === "interrupted",
  };
}

/** Fallback hints by error class, when the thrower named no exact call. */
function defaultNext(error: unknown): string {
  if (error instanceof BusyError) return 'Wait for a running job: call codex_jobs with {"status":"running"}';
  if (error instanceof NotFoundError) return "Call codex_jobs to list recent jobs, threads and their ids";
  if (error instanceof PolicyError) {
    return "Call bridge_status to see the allowed roots, sandboxes and limits, then retry within them";
  }
  return "Call bridge_status to check the bridge and Codex, then retry";
}

/** A bridge tool's error result from a thrown error: its message and the recovery hint, as data and as text. */
export function bridgeErrorResult(error: unknown, shownPaths: readonly string[]): CallToolResult {
  const message = redactLocalDetails(error instanceof Error ? error.message : String(error), shownPaths);
  const next = (error instanceof BridgeError && error.next) || defaultNext(error);
  return {
    content: [{ type: "text", text: `${message}. Next: ${next}` }],
    structuredContent: { error: message, next },
    isError: true,
  };
}

/** What the results need of the service: the paths the remote model may see. */
export interface ShowsPaths {
  shownPaths(): readonly string[];
}

/** Runs a tool body, turning any thrown error into an error result. */
export async function guarded(service: ShowsPaths, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return bridgeErrorResult(error, service.shownPaths());
  }
}

/** Runs a tool body that yields a job, as a job result (or an error result). */
export function jobCall(service: ShowsPaths, body: () => Promise<JobView>): Promise<CallToolResult> {
  return guarded(service, async () => jobResult(await body(), service.shownPaths()));
}
