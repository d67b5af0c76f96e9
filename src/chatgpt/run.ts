/**
 * Runs the `chatgpt` command: parse config, serve MCP over stdio until the
 * client closes stdin. stdout carries only MCP messages; logs go to stderr.
 *
 * @module
 */
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { parseChatgptConfig } from "../config/chatgpt_config.ts";
import { createLogger } from "../log.ts";
import { createChatgptServer } from "./server.ts";

/** Serves until stdin closes; returns the exit code. Throws ConfigError for bad options. */
export async function runChatgpt(args: readonly string[], env: (name: string) => string | undefined): Promise<number> {
  const config = parseChatgptConfig(args, env);
  const log = createLogger({ level: config.logLevel });
  const transport = new StdioServerTransport();
  // serveStdio serves both protocol eras; one server per connection.
  serveStdio(() => createChatgptServer({ config, log }), {
    transport,
    onerror: (error) => log.warn("mcp error", { error: error.message }),
  });
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  const entryOnClose = transport.onclose;
  transport.onclose = () => {
    entryOnClose?.();
    resolve();
  };
  log.info("chatgpt MCP server ready", {
    model: config.model,
    apiHost: new URL(config.baseUrl).host,
    apiKey: config.apiKey ? "set" : "missing",
  });
  await closed;
  return 0;
}
