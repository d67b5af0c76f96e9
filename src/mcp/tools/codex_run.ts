/** The `codex_run` tool: Codex in the sandbox the owner allows. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../../service/bridge_service.ts";
import { sandboxChoices } from "../../policy/sandbox.ts";
import { callWithProgress } from "../progress.ts";
import { jobCall, jobOutputSchema } from "../job_result.ts";
import { cwdField, promptField, turnFields, writeGatedAnnotations } from "./fields.ts";

function runInputSchema(allowWrite: boolean) {
  const choices = sandboxChoices(allowWrite);
  return withCachedJsonSchema(z.object({
    prompt: promptField,
    cwd: cwdField,
    // A plain string so a refused value gets the policy's explanation, not a bare enum error.
    sandbox: z.string().max(64).optional().describe(`Sandbox: ${choices.join(" or ")} (default read-only)`),
    ...turnFields,
  }));
}

// Built once per write mode: a server is made per request, its schemas need not be.
const INPUT_SCHEMAS = { readOnly: runInputSchema(false), write: runInputSchema(true) };

/** Registers `codex_run`; its schema and annotations follow the owner's write mode. */
export function registerCodexRun(server: McpServer, service: BridgeService, allowWrite: boolean): void {
  server.registerTool("codex_run", {
    title: allowWrite ? "Run Codex (may edit files)" : "Run Codex (read-only)",
    description: "Delegate a task to the local Codex agent in an allowed root and start a new thread. " +
      (allowWrite
        ? "With sandbox=workspace-write Codex may edit files inside the working directory. "
        : "The owner has not allowed writes, so only sandbox=read-only is available. ") +
      "Returns the answer, or status=running with a jobId to poll with codex_job_status.",
    inputSchema: allowWrite ? INPUT_SCHEMAS.write : INPUT_SCHEMAS.readOnly,
    outputSchema: jobOutputSchema,
    annotations: writeGatedAnnotations(allowWrite),
  }, (args, ctx) => jobCall(service, () => service.run(args, callWithProgress(ctx))));
}
