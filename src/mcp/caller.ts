/**
 * What a door (the HTTP endpoint, the tunnel) tells the tools about the
 * caller, carried as data in the MCP SDK's `authInfo.extra`: the moment the
 * caller stops listening. Tools pass it down; nothing below knows the door.
 *
 * @module
 */
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { CallOptions } from "../service/bridge_service.ts";

const DEADLINE = "callerDeadline";

/** `authInfo` for a caller that stops listening at `deadline` (ms since the epoch). */
export function withCallerDeadline(authInfo: AuthInfo, deadline: number | undefined): AuthInfo {
  if (deadline === undefined) return authInfo;
  return { ...authInfo, extra: { ...authInfo.extra, [DEADLINE]: deadline } };
}

/** The call options a tool handler passes to the service: the deadline, and who calls (for the audit). */
export function callOptions(ctx: { http?: { authInfo?: AuthInfo } } | undefined): CallOptions {
  const authInfo = ctx?.http?.authInfo;
  const deadline = authInfo?.extra?.[DEADLINE];
  const clientId = authInfo?.clientId;
  return {
    ...(typeof deadline === "number" && Number.isFinite(deadline) ? { deadline } : {}),
    ...(typeof clientId === "string" && clientId !== "" ? { clientId } : {}),
  };
}
