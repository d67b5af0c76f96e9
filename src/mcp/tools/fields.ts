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

/** Annotations of a tool that writes exactly when the owner allowed writes (codex_run, codex_reply). */
export function writeGatedAnnotations(allowWrite: boolean) {
  return { readOnlyHint: !allowWrite, destructiveHint: allowWrite, idempotentHint: false, openWorldHint: false };
}
