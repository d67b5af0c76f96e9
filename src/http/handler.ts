/**
 * The HTTP surface: `/mcp` (both MCP protocol eras, through the SDK's
 * `createMcpHandler`) behind the host/origin and auth guards, and
 * `/healthz`. A pure `(Request) => Promise<Response>`; nothing a client sends
 * may throw out of it.
 *
 * @module
 */
import { type AuthInfo, createMcpHandler, type McpServer } from "@modelcontextprotocol/server";
import type { Logger } from "../log.ts";
import type { AuthGuard } from "./auth.ts";
import type { Guard } from "./host_origin.ts";

/** Largest request body accepted (413 above). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Routes answered beside `/mcp`. */
export interface ExtraRoutes {
  /** The answer, or undefined for a path that is not theirs. */
  handle(request: Request): Promise<Response | undefined>;
  /**
   * Requests a browser sends with `Origin: null` that defend themselves
   * (the consent form under `Referrer-Policy: no-referrer`, with its CSRF token).
   */
  nullOriginOk(request: Request): boolean;
}

/** Options for {@linkcode createHttpHandler}. */
export interface HttpHandlerOptions {
  /** Makes a fresh MCP server for one request. */
  serverFactory: () => McpServer | Promise<McpServer>;
  hostOrigin: Guard;
  auth: AuthGuard;
  /** More routes (the OAuth authorization server), behind the same host/origin guard. */
  routes?: ExtraRoutes;
  log: Logger;
}

/** The HTTP handler and a way to stop in-flight MCP exchanges. */
export interface HttpHandler {
  fetch: (request: Request) => Promise<Response>;
  /** The MCP handler behind `/mcp`, without the HTTP guards: the tunnel's door into the same handler. */
  mcp: (request: Request, options?: { authInfo?: AuthInfo }) => Promise<Response>;
  close: () => Promise<void>;
}

function jsonError(status: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: message }, { status, headers });
}

// The same request for the guard's eyes, minus its Origin header (the body is not read).
function withoutOrigin(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete("origin");
  return new Request(request.url, { method: "GET", headers });
}

/** Builds the handler; see the module doc. */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { log } = options;
  const mcp = createMcpHandler(() => options.serverFactory(), {
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (error) => log.debug("mcp request rejected", { error: error.message }),
  });

  function refuseHostOrigin(request: Request): Response | undefined {
    const refused = options.hostOrigin(request);
    if (refused) {
      // Says what was refused so an owner can add the right --allowed-host; no credentials logged.
      log.warn("request refused: host or origin not allowed", {
        host: request.headers.get("host"),
        origin: request.headers.get("origin"),
      });
    }
    return refused;
  }

  async function serveMcp(request: Request): Promise<Response> {
    const refused = refuseHostOrigin(request);
    if (refused) return refused;
    const auth = await options.auth(request);
    if (auth instanceof Response) {
      log.warn("request refused: missing or invalid bearer token", {
        host: request.headers.get("host"),
        hasAuthorization: request.headers.has("authorization"),
      });
      return auth;
    }
    // Refuse a declared oversize body without reading it; the SDK bounds undeclared (chunked) ones.
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) return jsonError(413, `Request body over ${MAX_BODY_BYTES} bytes`);
    return await mcp.fetch(request, { authInfo: auth });
  }

  async function fetch(request: Request): Promise<Response> {
    try {
      const { pathname } = new URL(request.url);
      if (pathname === "/mcp") return await serveMcp(request);
      if (pathname === "/healthz") {
        if (request.method !== "GET" && request.method !== "HEAD") {
          return jsonError(405, "Method not allowed", { allow: "GET, HEAD" });
        }
        return Response.json({ status: "ok" });
      }
      if (options.routes) {
        const nullOrigin = request.headers.get("origin") === "null" && options.routes.nullOriginOk(request);
        const refused = refuseHostOrigin(nullOrigin ? withoutOrigin(request) : request);
        if (refused) return refused;
        const answer = await options.routes.handle(request);
        if (answer) return answer;
      }
      return jsonError(404, "Not found: the MCP endpoint is /mcp");
    } catch (error) {
      log.error("request failed", { error });
      return jsonError(500, "Internal error");
    }
  }

  return { fetch, mcp: mcp.fetch, close: () => mcp.close() };
}
