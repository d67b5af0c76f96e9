/** The `codex_job_status` tool: poll a job. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../../service/bridge_service.ts";
import { guarded, jobOutputSchema, jobResult } from "../job_result.ts";

const inputSchema = withCachedJsonSchema(
  z.object({ jobId: z.string().min(1).max(200).describe("jobId returned with status=running") }),
);

/** Registers `codex_job_status`. */
export function registerCodexJobStatus(server: McpServer, service: BridgeService): void {
  server.registerTool("codex_job_status", {
    title: "Codex job status",
    description: "Get the status of a Codex job started by codex_read, codex_run or codex_reply: running " +
      "(with live progress), completed (with the answer and threadId) or failed (with the reason).",
    inputSchema,
    outputSchema: jobOutputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }, (args) => guarded(() => Promise.resolve(jobResult(service.jobStatus(args.jobId)))));
}
