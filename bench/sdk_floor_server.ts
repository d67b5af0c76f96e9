/**
 * The floor for any server built on the MCP SDK: the SDK and zod loaded, an
 * McpServer per request with seven tools of small zod schemas (the bridge's
 * count), served by Deno.serve (prints its URL); with the argument `stdio`,
 * one such server over stdio (as `chatgpt` serves). The bridge's start-up can
 * come near this, not below it.
 */
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";

const input = z.object({ prompt: z.string().describe("What to do"), cwd: z.string().optional() });
const output = z.object({ status: z.enum(["completed", "running", "failed"]), text: z.string().optional() });

function floorServer(): McpServer {
  const server = new McpServer({ name: "sdk-floor", version: "1" });
  for (let i = 0; i < 7; i++) {
    server.registerTool(
      `tool_${i}`,
      { description: "A tool", inputSchema: input, outputSchema: output },
      () => ({ content: [], structuredContent: { status: "completed" } }),
    );
  }
  return server;
}

if (Deno.args[0] === "stdio") {
  serveStdio(floorServer, { transport: new StdioServerTransport() });
} else {
  const handler = createMcpHandler(floorServer, {});
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/mcp`),
  }, (request) => handler.fetch(request));
}
