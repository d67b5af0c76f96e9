/** Input fields and annotations shared by the Codex tools. @module */
import { z } from "zod";

/** What Codex should do. */
export const promptField = z.string().min(1, "prompt must not be empty").max(200_000)
  .describe("Instructions for Codex");

/** Working directory inside an allowed root. */
export const cwdField = z.string().min(1).max(4096).optional()
  .describe("Directory to work in: absolute, or relative to the only root. Required with several roots.");

/** A per-call limit; it may only lower the owner's. */
export const timeoutField = z.number().int().positive().optional()
  .describe("Stop Codex after this many milliseconds (capped by the bridge's own limit)");

/** The caller's idempotency key: a retry with the same one gets the same job, never a second Codex turn. */
export const requestIdField = z.string().min(1).max(128).optional()
  .describe("Any unique string you choose; retrying with the same requestId returns the same job (kept 6 hours)");

/** A model to run Codex with (see bridge_status for the allowed ones). */
export const modelField = z.string().min(1).max(200).optional()
  .describe("Model for Codex, one of bridge_status models.choices (default: Codex's own; a thread keeps its model)");

/** A reasoning effort (see bridge_status for the allowed ones). */
export const reasoningEffortField = z.string().min(1).max(32).optional()
  .describe("Reasoning effort, one the model lists in bridge_status models.choices (default: the model's)");

/** The options every Codex turn takes (codex_read, codex_run, codex_reply). */
export const turnFields = {
  timeoutMs: timeoutField,
  requestId: requestIdField,
  model: modelField,
  reasoningEffort: reasoningEffortField,
};

/** A job id the bridge issued. */
export const jobIdField = z.string().min(1).max(200).describe("jobId returned by codex_read, codex_run or codex_reply");

/** Annotations of a tool that writes exactly when the owner allowed writes (codex_run, codex_reply). */
export function writeGatedAnnotations(allowWrite: boolean) {
  return { readOnlyHint: !allowWrite, destructiveHint: allowWrite, idempotentHint: false, openWorldHint: false };
}
