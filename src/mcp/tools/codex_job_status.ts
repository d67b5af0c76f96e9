/** The `codex_job_status` tool: wait for a job, then describe it. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import { type BridgeService, JOB_WAIT_DEFAULT_MS, JOB_WAIT_MAX_MS } from "../../service/bridge_service.ts";
import { callWithProgress } from "../progress.ts";
import { jobCall, jobOutputSchema } from "../job_result.ts";
import { jobIdField } from "./fields.ts";

const inputSchema = withCachedJsonSchema(z.object({
  jobId: jobIdField,
  waitMs: z.number().int().min(0).max(JOB_WAIT_MAX_MS).optional().describe(
    `Wait up to this long for the job to finish (default ${JOB_WAIT_DEFAULT_MS}, at most ${JOB_WAIT_MAX_MS}); ` +
      "the answer comes the moment it does. 0 answers at once",
  ),
}));

/** Registers `codex_job_status`. */
export function registerCodexJobStatus(server: McpServer, service: BridgeService): void {
  server.registerTool(
    "codex_job_status",
    {
      title: "Codex job status",
      description: "Wait for a Codex job started by codex_read, codex_run or codex_reply and get its status: " +
        "running (with live progress, after waiting waitMs), completed (with the answer and threadId), failed, " +
        "cancelled or interrupted (with the reason). Answers as soon as the job ends; no need to sleep between " +
        "calls. Follow `next` in the result.",
      inputSchema,
      outputSchema: jobOutputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args, ctx) =>
      jobCall(service, () => service.jobStatus(args.jobId, args.waitMs ?? JOB_WAIT_DEFAULT_MS, callWithProgress(ctx))),
  );
}
