/** The `codex_reply` tool: continue a thread this bridge created. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../../service/bridge_service.ts";
import { callWithProgress } from "../progress.ts";
import { jobCall, jobOutputSchema } from "../job_result.ts";
import { promptField, turnFields, writeGatedAnnotations } from "./fields.ts";

// Built once: a server is made per request, its schemas need not be.
const inputSchema = withCachedJsonSchema(z.object({
  threadId: z.string().min(1).max(200).describe("threadId returned by codex_read or codex_run"),
  prompt: promptField,
  ...turnFields,
}));

/** Registers `codex_reply`; annotations follow the owner's write mode (a thread may write). */
export function registerCodexReply(server: McpServer, service: BridgeService, allowWrite: boolean): void {
  server.registerTool("codex_reply", {
    title: "Reply to a Codex thread",
    description: "Continue a Codex conversation started by codex_read or codex_run, in its original directory " +
      "and sandbox. One reply at a time per thread.",
    inputSchema,
    outputSchema: jobOutputSchema,
    annotations: writeGatedAnnotations(allowWrite),
  }, (args, ctx) => jobCall(service, () => service.reply(args, callWithProgress(ctx))));
}
