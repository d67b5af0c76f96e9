/** The `bridge_status` tool: what the bridge allows and what it runs. @module */
import { z } from "zod";
import { withCachedJsonSchema } from "../cached_schema.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../../service/bridge_service.ts";
import { guarded } from "../job_result.ts";

const statusOutputSchema = withCachedJsonSchema(z.looseObject({
  roots: z.array(z.string()),
  defaultCwd: z.string().nullable(),
  defaultSandbox: z.string(),
  sandboxChoices: z.array(z.string()),
  allowWrite: z.boolean(),
  approvalPolicy: z.string(),
  secretScan: z.boolean(),
  fastReturnMs: z.number(),
  timeoutMs: z.number(),
  codex: z.looseObject({
    protocol: z.string(),
    binary: z.string(),
    version: z.string().optional(),
    available: z.boolean(),
    problem: z.string().optional(),
    tools: z.array(z.string()),
  }),
  models: z.looseObject({
    choices: z.array(z.looseObject({ model: z.string(), efforts: z.array(z.string()), isDefault: z.boolean() })),
    ownerModels: z.array(z.string()),
    maxReasoningEffort: z.string().optional(),
    problem: z.string().optional(),
  }).describe(
    "The model and reasoningEffort values codex_read/codex_run/codex_reply accept; leave both out for Codex's default",
  ),
  confinement: z.object({
    mode: z.enum(["permission-profile", "unconfined", "refused"]),
    problem: z.string().optional(),
    readable: z.array(z.string()),
    writable: z.array(z.string()),
    network: z.literal("off"),
    hiddenFiles: z.record(z.string(), z.number()),
  }).describe("What the OS lets Codex touch in each turn: only the root holding the cwd, minus hidden secrets"),
  jobs: z.record(z.string(), z.number()).describe("Jobs kept, by status, and maxRunning"),
  threads: z.number(),
  tunnel: z.looseObject({
    tunnelId: z.string(),
    state: z.string(),
    connected: z.boolean(),
    lastPollAt: z.string().optional(),
    commandsServed: z.number(),
    lastError: z.string().optional(),
  }).optional().describe("OpenAI's Secure MCP Tunnel, when the bridge serves through one"),
}));

const inputSchema = withCachedJsonSchema(z.object({}));

/** Registers `bridge_status`. */
export function registerBridgeStatus(server: McpServer, service: BridgeService): void {
  server.registerTool("bridge_status", {
    title: "Bridge status",
    description: "Show what this bridge allows (roots, sandbox, write mode, approval policy, auth), the " +
      "confinement Codex runs under (readable and writable folders, network, hidden secret files) and which " +
      "Codex it drives (version, protocol), with job counts and, when it serves through OpenAI's tunnel, the tunnel's " +
      "state. Call it first to learn the allowed roots.",
    inputSchema,
    outputSchema: statusOutputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }, () =>
    guarded(service, async () => {
      const status = await service.status();
      return { content: [{ type: "text", text: JSON.stringify(status) }], structuredContent: status };
    }));
}
