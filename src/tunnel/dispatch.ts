/**
 * Turns one polled tunnel command into the responses to post: a web
 * `Request` handed straight to the same SDK MCP handler the HTTP endpoint
 * uses (no socket, no second listener), its answer read back as JSON or as
 * an SSE stream. Notifications before the result become `jsonrpc_notify`,
 * the result `jsonrpc_response`; a notification without id gets `notify_ack`.
 * JSON-RPC ids and MCP errors pass through untouched; `-32603` is made up
 * only when the handler gave no valid JSON-RPC answer.
 *
 * The tunnel authenticates its callers (the tunnel's workspace permissions),
 * so the HTTP door's Host/Origin and bearer checks do not apply here; the
 * command's deadline travels in `authInfo` like any other caller's.
 *
 * @module
 */
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Logger } from "../log.ts";
import { withCallerDeadline } from "../mcp/caller.ts";
import {
  commandType,
  type DispatchOutput,
  type PolledCommand,
  RESPONSE_HEADER_ALLOWLIST,
  type WireHeaders,
} from "./protocol.ts";

/** The MCP handler's web face (`createMcpHandler(...)`'s `fetch`). */
export type McpFetch = (request: Request, options?: { authInfo?: AuthInfo }) => Promise<Response>;

/** What a worker knows of the command it runs. */
export interface CommandContext {
  /** When the caller stops listening, ms since the epoch; absent without `response_timeout`. */
  deadline?: number;
  /** Aborts when the deadline passes or the bridge stops: nothing is posted after it. */
  signal: AbortSignal;
}

/** Yields the responses for one command, in posting order (the terminal one last). */
export type Dispatcher = (command: PolledCommand, context: CommandContext) => AsyncGenerator<DispatchOutput>;

/** Options for {@linkcode createDispatcher}. */
export interface DispatcherOptions {
  mcp: McpFetch;
  log: Logger;
}

// Tunnel callers are authenticated by the control plane; this names them for the tools' logs.
const TUNNEL_CALLER: AuthInfo = { token: "", clientId: "openai-secure-mcp-tunnel", scopes: [] };

// Never forwarded: they describe the caller's hop to OpenAI, not this in-process request.
const DROPPED_REQUEST_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "accept",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "authorization",
  "cookie",
]);

// The handler only reads the path; this origin never leaves the process.
const IN_PROCESS_URL = "http://tunnel.invalid/mcp";

type JsonRpcId = string | number | null;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requestIdOf(message: unknown): JsonRpcId | undefined {
  if (!isObject(message) || !("id" in message)) return undefined;
  const id = message.id;
  return typeof id === "string" || typeof id === "number" || id === null ? id : undefined;
}

/** Whether `message` is a JSON-RPC response (a result, or an error with a code and message). */
function isJsonRpcResponse(message: unknown): message is Record<string, unknown> {
  if (!isObject(message) || message.jsonrpc !== "2.0" || !("id" in message)) return false;
  if ("result" in message) return true;
  const error = message.error;
  return isObject(error) && Number.isInteger(error.code) && typeof error.message === "string";
}

function allowedHeaders(headers: Headers, contentType?: string): WireHeaders {
  const out: WireHeaders = {};
  for (const name of RESPONSE_HEADER_ALLOWLIST) {
    const value = headers.get(name);
    if (value) out[name] = [value];
  }
  if (contentType) out["Content-Type"] = [contentType];
  return out;
}

/** A `-32603` answer when no valid MCP error exists, with the contract's bounded provenance. */
function synthesized(
  id: JsonRpcId | undefined,
  failure: { source: string; kind: string; upstreamStatus?: number },
): DispatchOutput {
  return {
    resp_json: {
      jsonrpc: "2.0",
      id: id ?? null,
      error: {
        code: -32603,
        message: "Bad Gateway",
        data: {
          tunnel_failure: {
            version: 1,
            source: failure.source,
            transport_error_kind: failure.kind,
            upstream_response_received: failure.upstreamStatus !== undefined,
            ...(failure.upstreamStatus !== undefined ? { upstream_status: failure.upstreamStatus } : {}),
          },
        },
      },
    },
    resp_headers: { "Content-Type": ["application/json"] },
    resp_code: 502,
    resp_type: "jsonrpc_response",
  };
}

/** Reads `data:` payloads of an SSE body, one per event, as they arrive. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer[end] === "\r" ? 2 : 1));
      if (line === "") {
        if (data.length > 0) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line[5] === " " ? 6 : 5));
      }
      // Comments (keep-alives), `event:`, `id:` and `retry:` lines carry nothing to forward.
    }
  }
  if (data.length > 0) yield data.join("\n");
}

/** Builds the dispatcher; see the module doc. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { mcp, log } = options;

  async function* jsonrpc(command: PolledCommand, context: CommandContext): AsyncGenerator<DispatchOutput> {
    const message = command.jsonrpc;
    const id = requestIdOf(message);
    const isNotification = isObject(message) && typeof message.method === "string" && !("id" in message);
    const headers = new Headers();
    for (const [name, values] of Object.entries(command.headers ?? {})) {
      if (DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) continue;
      for (const value of values) {
        try {
          headers.append(name, value);
        } catch {
          // A header value the Fetch API refuses cannot be meant for MCP; skip it.
        }
      }
    }
    headers.set("content-type", "application/json");
    headers.set("accept", "application/json, text/event-stream");
    const request = new Request(IN_PROCESS_URL, {
      method: "POST",
      headers,
      body: JSON.stringify(message ?? null),
      signal: context.signal,
    });
    let response: Response;
    try {
      response = await mcp(request, { authInfo: withCallerDeadline(TUNNEL_CALLER, context.deadline) });
    } catch (error) {
      if (context.signal.aborted) return; // Past the deadline: never answer late.
      log.error("tunnel command failed in the MCP handler", { requestId: command.request_id, error });
      yield synthesized(id, { source: "client_internal", kind: "unknown" });
      return;
    }
    if (isNotification || response.status === 202) {
      await response.body?.cancel();
      yield { resp_headers: allowedHeaders(response.headers), resp_code: response.status, resp_type: "notify_ack" };
      return;
    }
    const contentType = response.headers.get("content-type") ?? "";
    try {
      if (contentType.startsWith("text/event-stream") && response.body) {
        // Each SSE event is one JSON-RPC message; the one answering our id ends the command.
        for await (const data of sseData(response.body)) {
          let event: unknown;
          try {
            event = JSON.parse(data);
          } catch {
            continue;
          }
          if (isJsonRpcResponse(event) && requestIdOf(event) === id) {
            yield {
              resp_json: event,
              resp_headers: allowedHeaders(response.headers, "application/json"),
              resp_code: response.status,
              resp_type: "jsonrpc_response",
            };
            return;
          }
          if (isObject(event)) yield { resp_json: event, resp_code: 200, resp_type: "jsonrpc_notify" };
        }
        if (context.signal.aborted) return;
        yield synthesized(id, { source: "protocol", kind: "unexpected_eof" });
        return;
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (isJsonRpcResponse(body)) {
        yield {
          resp_json: body,
          resp_headers: allowedHeaders(response.headers),
          resp_code: response.status,
          resp_type: "jsonrpc_response",
        };
        return;
      }
      yield response.status >= 400 && response.status <= 599
        ? synthesized(id, { source: "target_http", kind: "http_status", upstreamStatus: response.status })
        : synthesized(id, {
          source: "protocol",
          kind: body === undefined ? "malformed_json" : "invalid_protocol_response",
        });
    } catch (error) {
      if (context.signal.aborted) return;
      log.warn("tunnel command's MCP answer could not be read", { requestId: command.request_id, error });
      yield synthesized(id, { source: "transport_closed", kind: "response_body_unreadable" });
    }
  }

  return async function* dispatch(command, context) {
    const type = commandType(command);
    if (type === "jsonrpc") {
      yield* jsonrpc(command, context);
    } else if (type === "session_termination") {
      // The MCP handler serves each request statelessly: there is no session to close, only to acknowledge.
      yield { resp_code: 204, resp_type: "session_termination_response" };
    } else {
      log.warn("tunnel command of an unknown type skipped", { requestId: command.request_id, commandType: type });
    }
  };
}
