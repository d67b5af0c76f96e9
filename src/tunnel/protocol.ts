/**
 * The Secure MCP Tunnel wire contract (OpenAI's `tunnel-client`
 * `docs/protocol.md` and `docs/openapi.json`) in one place: endpoint paths,
 * header names, the polled command shapes (parsed leniently with zod: unknown
 * fields and future command types pass), the response body, and the
 * `response_timeout` grammar (the tunnel id's shape is in tunnel_id.ts). Nothing here does I/O.
 *
 * @module
 */
import { z } from "zod";

/** Header carrying a command's opaque shard token on every response POST (never in the body). */
export const SHARD_TOKEN_HEADER = "X-Tunnel-Shard-Token";
/** Diagnostic client name header, sent on every request. */
export const CLIENT_NAME_HEADER = "X-Tunnel-Client-Name";
/** Diagnostic client version header, sent on every request. */
export const CLIENT_VERSION_HEADER = "X-Tunnel-Client-Version";

/** Optional capability declaration, sent with {@linkcode CLIENT_INSTANCE_HEADER}. */
export const MCP_SERVER_INFO_HEADER = "X-Tunnel-MCP-Server-Info";
/** A stable id of this client process, sent with the server info. */
export const CLIENT_INSTANCE_HEADER = "X-Tunnel-Client-Instance-Id";

/**
 * The bridge's declaration (version 1, compact, canonical key order): one
 * `main` channel served in-process, whose jobs and threads live in this
 * process, hence `proc_affinity`.
 */
export const MCP_SERVER_INFO = JSON.stringify({ version: 1, channels: [{ name: "main", proc_affinity: true }] });

/** Largest `limit` a poll may ask for. */
export const MAX_POLL_LIMIT = 25;

/** The canonical (plural) endpoint paths for one tunnel. */
export function tunnelPaths(tunnelId: string): { metadata: string; poll: string; response: string } {
  const base = `/v1/tunnels/${encodeURIComponent(tunnelId)}`;
  return { metadata: base, poll: `${base}/poll`, response: `${base}/response` };
}

/** Multi-valued headers, as the contract carries them. */
export type WireHeaders = Record<string, string[]>;

const wireHeaders = z.record(z.string(), z.array(z.string()));

// Open schemas: the contract says clients must accept unknown future properties.
const commandBase = z.looseObject({
  request_id: z.string().min(1),
  shard_token: z.string().min(1),
  // Absent means the default channel; echoed in every response body.
  channel: z.string().optional(),
  created_at: z.string().optional(),
  // Kept raw: a malformed value must not make the command undecodable (fail open, no deadline).
  response_timeout: z.unknown().optional(),
  headers: wireHeaders.optional().catch(undefined),
  command_type: z.string().optional(),
});

/** One polled command, whatever its type. */
export type PolledCommand = z.output<typeof commandBase> & { jsonrpc?: unknown };

const pollEnvelope = z.looseObject({ commands: z.array(z.unknown()) });

/** What one item of a poll response turned out to be. */
export type ParsedItem =
  | { ok: true; command: PolledCommand }
  | { ok: false; requestId?: string; problem: string };

/**
 * Parses a `200` poll body. The envelope must be `{commands: [...]}`; each
 * item is parsed on its own so one bad item never hides the others.
 */
export function parsePollResponse(body: unknown): ParsedItem[] {
  const envelope = pollEnvelope.safeParse(body);
  if (!envelope.success) throw new Error("Poll response is not a {commands: [...]} object");
  return envelope.data.commands.map((item): ParsedItem => {
    const parsed = commandBase.safeParse(item);
    if (parsed.success) return { ok: true, command: parsed.data as PolledCommand };
    const requestId = typeof (item as { request_id?: unknown })?.request_id === "string"
      ? (item as { request_id: string }).request_id
      : undefined;
    return { ok: false, requestId, problem: parsed.error.issues[0]?.message ?? "invalid command" };
  });
}

/** The type a command is dispatched on: `jsonrpc` when absent (the schema's default). */
export function commandType(command: PolledCommand): string {
  return command.command_type ?? "jsonrpc";
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// Larger than any deadline a timer can hold: such values count as overflow (no deadline), like Go's decoder.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Parses `response_timeout` (`1*DIGIT ("ns"/"us"/"ms"/"s"/"m"/"h")`) into
 * milliseconds. `undefined` for absent, `null`, malformed, wrong-type or
 * overflowing values: those keep the legacy no-deadline behaviour. `0s` is
 * a valid zero (already expired).
 */
export function parseResponseTimeout(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^([0-9]+)(ns|us|ms|s|m|h)$/.exec(value);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  return Number.isFinite(ms) && ms <= MAX_TIMEOUT_MS ? ms : undefined;
}

/** `resp_type` values of a response POST. */
export type ResponseType = "jsonrpc_response" | "jsonrpc_notify" | "notify_ack" | "session_termination_response";

/** Whether a response of this type ends its command. */
export function isTerminal(type: ResponseType): boolean {
  return type !== "jsonrpc_notify";
}

/** The body of `POST /v1/tunnels/{id}/response` (the schema allows no other field). */
export interface TunnelResponseBody {
  request_id: string;
  channel?: string;
  resp_json?: Record<string, unknown>;
  resp_headers?: WireHeaders;
  resp_code: number;
  resp_type: ResponseType;
}

/** What dispatching one command yields, before correlation fields are added. */
export type DispatchOutput = Omit<TunnelResponseBody, "request_id" | "channel">;

/** MCP response headers the contract lets through to the caller. */
export const RESPONSE_HEADER_ALLOWLIST = [
  "Content-Type",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
  "Last-Event-ID",
  "Access-Control-Expose-Headers",
  "WWW-Authenticate",
] as const;

/**
 * Parses `Retry-After` (delta-seconds or HTTP-date) into a delay in ms,
 * capped at `capMs`. Malformed, negative and past values give `undefined`.
 */
export function parseRetryAfter(value: string | null, now: number, capMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const when = Date.parse(text);
    // A bare number with a sign or fraction is not a date either.
    if (Number.isNaN(when) || /^[-+.\d]+$/.test(text)) return undefined;
    ms = when - now;
  }
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, capMs);
}
