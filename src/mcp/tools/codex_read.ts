/** The `codex_read` tool: Codex in a read-only sandbox. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../../service/bridge_service.ts";
import { callWithProgress } from "../progress.ts";
import { jobCall, jobOutputSchema } from "../job_result.ts";
import { cwdField, promptField, turnFields } from "./fields.ts";

// Built once: a server is made per request, its schemas need not be.
const inputSchema = withCachedJsonSchema(z.object({
  prompt: promptField,
  cwd: cwdField,
  ...turnFields,
}));

/** Registers `codex_read` on `server`. */
export function registerCodexRead(server: McpServer, service: BridgeService): void {
  server.registerTool("codex_read", {
    title: "Ask Codex (read-only)",
    description: "Delegate a read-only task to the local Codex agent: explore, explain or review code in an " +
      "allowed root. Codex cannot modify files. Returns the answer, or status=running with a jobId to poll " +
      "with codex_job_status.",
    inputSchema,
    outputSchema: jobOutputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args, ctx) => jobCall(service, () => service.read(args, callWithProgress(ctx))));
}
