/** The `codex_jobs` tool: recent jobs, newest first, so a lost jobId can be found. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import { type BridgeService, JOB_STATUSES, JOB_WAIT_DEFAULT_MS } from "../../service/bridge_service.ts";
import { guarded } from "../job_result.ts";

const STATUS = z.enum(JOB_STATUSES as [string, ...string[]]);

const inputSchema = withCachedJsonSchema(z.object({
  status: STATUS.optional().describe("Only jobs with this status"),
  limit: z.number().int().min(1).max(100).optional().describe("Most jobs listed (default 20)"),
}));

const outputSchema = withCachedJsonSchema(z.object({
  jobs: z.array(z.object({
    jobId: z.string(),
    tool: z.string(),
    status: STATUS,
    elapsedMs: z.number(),
    threadId: z.string().optional(),
    prompt: z.string().describe("The first 100 characters of the prompt"),
    startedAt: z.number(),
  })),
  next: z.string(),
}));

/** Registers `codex_jobs`. */
export function registerCodexJobs(server: McpServer, service: BridgeService): void {
  server.registerTool("codex_jobs", {
    title: "List Codex jobs",
    description: "List recent Codex jobs (jobId, tool, status, elapsed time, threadId, start of the prompt), " +
      "newest first. Use it to find a job whose jobId was lost.",
    inputSchema,
    outputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }, (args) =>
    guarded(service, () => {
      const jobs = service.listJobs({ status: args.status as never, limit: args.limit });
      const running = jobs.find((job) => job.status === "running");
      const next = running
        ? `Call codex_job_status with ${JSON.stringify({ jobId: running.jobId, waitMs: JOB_WAIT_DEFAULT_MS })}`
        : jobs.length > 0
        ? `Call codex_job_status with a jobId from the list to read its result`
        : "No jobs yet: start one with codex_read or codex_run";
      const structured = { jobs, next };
      return Promise.resolve({
        content: [{ type: "text", text: JSON.stringify(structured) }],
        structuredContent: structured,
      });
    }));
}
