/**
 * Turns job views and errors into MCP tool results: `structuredContent`
 * mirrored as JSON text, and `isError` results whose text tells the model how
 * to recover.
 *
 * @module
 */
import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { JobView } from "../service/bridge_service.ts";
import { withCachedJsonSchema } from "./cached_schema.ts";

/** Output schema shared by every tool that returns a job. */
export const jobOutputSchema = withCachedJsonSchema(z.object({
  status: z.enum(["running", "completed", "failed"]).describe("running: poll codex_job_status with jobId"),
  jobId: z.string(),
  tool: z.string(),
  threadId: z.string().optional().describe("Pass to codex_reply to continue the conversation"),
  elapsedMs: z.number(),
  text: z.string().optional().describe("Codex's final message (completed)"),
  error: z.string().optional().describe("Why the job failed (failed)"),
  hiddenFiles: z.number().optional().describe("Secret files the OS kept from Codex in this job (never named)"),
  progress: z.object({
    phase: z.string(),
    events: z.number(),
    commandsStarted: z.number(),
    commandsFinished: z.number(),
    lastCommand: z.string().optional(),
    approvalsDeclined: z.array(z.string()),
    lastEventAt: z.number().optional(),
  }),
  next: z.string().optional().describe("What to do next"),
}));

function nextStep(view: JobView): string | undefined {
  if (view.status === "running") {
    return `Codex is still working. Call codex_job_status with jobId "${view.jobId}" to get the result.`;
  }
  if (view.status === "completed" && view.threadId) {
    return `To follow up in the same conversation, call codex_reply with threadId "${view.threadId}".`;
  }
  return undefined;
}

/** A tool result for a job: an error result when the job failed. */
export function jobResult(view: JobView): CallToolResult {
  const structured = { ...view, next: nextStep(view) };
  return {
    content: [{ type: "text", text: JSON.stringify(structured) }],
    structuredContent: structured,
    isError: view.status === "failed",
  };
}

/** A tool error result from a thrown error: its message is the recovery hint. */
export function errorResult(error: unknown): CallToolResult {
  const message = error instanceof Error ? error.message : String(error);
  return { content: [{ type: "text", text: message }], isError: true };
}

/** Runs a tool body, turning any thrown error into an error result. */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return errorResult(error);
  }
}
