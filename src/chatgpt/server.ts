/**
 * The `chatgpt` MCP server: one tool, `ask_chatgpt`, so Codex can ask a GPT
 * model for a plan, a review or a second opinion.
 *
 * @module
 */
import { SERVER_INFO } from "../version.ts";
import { z } from "zod";
import type OpenAI from "openai";
import { McpServer } from "@modelcontextprotocol/server";
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { ChatgptConfig } from "../config/chatgpt_config.ts";
import type { Logger } from "../log.ts";
import { ChatgptError } from "./chatgpt_error.ts";
import type { askChatgpt } from "./responses_api.ts";

/** Options for {@linkcode createChatgptServer}. */
export interface ChatgptServerOptions {
  config: ChatgptConfig;
  log: Logger;
  /** Retries the `openai` package makes on 408/429/5xx. @default 2 */
  maxRetries?: number;
}

const outputSchema = z.object({
  responseId: z.string(),
  model: z.string(),
  outputText: z.string(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() }).nullable(),
});

// Here, not beside the bridge's results (mcp/job_result.ts): that module's schemas and the service it reads
// would load ~10 ms of modules this server never uses before it answers `initialize`.
/** A plain tool error result whose message is the recovery hint. */
function errorResult(error: unknown): CallToolResult {
  const message = error instanceof Error ? error.message : String(error);
  return { content: [{ type: "text", text: message }], isError: true };
}

/** The `openai` client and the call through it. */
interface Api {
  client: OpenAI;
  ask: typeof askChatgpt;
}

/**
 * Builds the server. The `openai` client is made once, at the first call and
 * only when a key is set: the package loads then, not before `initialize`
 * and `tools/list` are answered (Codex waits for those at every session).
 */
export function createChatgptServer(options: ChatgptServerOptions): McpServer {
  const { config, log } = options;
  let api: Promise<Api> | undefined;
  const connect = (apiKey: string) =>
    api ??= Promise.all([import("openai"), import("./responses_api.ts")]).then(([{ default: OpenAI }, module]) => ({
      client: new OpenAI({ apiKey, baseURL: config.baseUrl, maxRetries: options.maxRetries ?? 2 }),
      ask: module.askChatgpt,
    }));
  const server = new McpServer({ name: "chatgpt", version: SERVER_INFO.version });
  server.registerTool("ask_chatgpt", {
    title: "Ask ChatGPT",
    description: "Ask an OpenAI GPT model (Responses API) for a plan, a review or a second opinion. Include all " +
      "the context it needs in the prompt: it cannot see your files.",
    inputSchema: z.object({
      prompt: z.string().min(1, "prompt must not be empty").describe("The question, with the context needed"),
      instructions: z.string().optional().describe("System-style instructions for the model"),
      model: z.string().min(1).max(200).optional().describe(`Model to use (default ${config.model})`),
      reasoningEffort: z.enum(["none", "low", "medium", "high", "xhigh"]).optional(),
      maxOutputTokens: z.number().int().min(1).max(100_000).optional(),
      timeoutMs: z.number().int().positive().optional().describe(
        `Give up after this many milliseconds (at most ${config.timeoutMs})`,
      ),
    }),
    outputSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, async (args, ctx): Promise<CallToolResult> => {
    if (!config.apiKey) {
      return errorResult(
        new ChatgptError(
          "OPENAI_API_KEY is not set: the owner must export OPENAI_API_KEY (and forward it to this server, " +
            "e.g. env_vars in Codex's [mcp_servers.chatgpt]) before ask_chatgpt can call the API.",
        ),
      );
    }
    const progressToken = ctx.mcpReq._meta?.progressToken;
    const model = args.model ?? config.model;
    const started = performance.now();
    try {
      const { client, ask } = await connect(config.apiKey);
      const result = await ask(client, { ...args, model }, {
        timeoutMs: Math.min(args.timeoutMs ?? Infinity, config.timeoutMs),
        signal: ctx.mcpReq.signal,
        onText: progressToken === undefined ? undefined : (delta, total) => {
          ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken, progress: total, message: delta },
          }).catch(() => {});
        },
      });
      log.info("ask_chatgpt answered", {
        model: result.model,
        ms: Math.round(performance.now() - started),
        outputTokens: result.usage?.outputTokens,
      });
      return {
        content: [{
          type: "text",
          text: `${result.outputText}\n\n${JSON.stringify({ ...result, outputText: undefined })}`,
        }],
        structuredContent: result,
      };
    } catch (error) {
      // Never the prompt or the key: the message is ours, written without either.
      log.warn("ask_chatgpt failed", { model, error: (error as Error).message });
      return errorResult(error);
    }
  });
  return server;
}
