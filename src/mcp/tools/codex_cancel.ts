/** The `codex_cancel` tool: stop a running job, keep its thread. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../../service/bridge_service.ts";
import { callWithProgress } from "../progress.ts";
import { jobCall, jobOutputSchema } from "../job_result.ts";
import { jobIdField } from "./fields.ts";

const inputSchema = withCachedJsonSchema(z.object({ jobId: jobIdField }));

/** Registers `codex_cancel`. */
export function registerCodexCancel(server: McpServer, service: BridgeService): void {
  server.registerTool("codex_cancel", {
    title: "Cancel a Codex job",
    description: "Stop a running Codex job: Codex is interrupted and the command it was running is ended. The " +
      "job ends with status=cancelled and what it had done so far; its thread stays usable with codex_reply.",
    inputSchema,
    outputSchema: jobOutputSchema,
    // Stopping work is not destructive, and asking twice is refused rather than repeated.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args, ctx) => jobCall(service, () => service.cancel(args.jobId, callWithProgress(ctx))));
}
