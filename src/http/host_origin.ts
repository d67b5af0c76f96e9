/**
 * DNS-rebinding and cross-site protection: the `Host` header must name this
 * machine or an owner-allowed host (port-agnostic), and an `Origin` header,
 * when present, must be allowed too. Both checks are the MCP SDK's.
 *
 * @module
 */
import {
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from "@modelcontextprotocol/server";

/** Options for {@linkcode createHostOriginGuard}. */
export interface HostOriginGuardOptions {
  /** Host names accepted besides the loopback names (e.g. a tunnel's). */
  allowedHosts: readonly string[];
}

/** A guard: a refusal `Response`, or `undefined` to let the request through. */
export type Guard = (request: Request) => Response | undefined;

/** Builds the guard once; the allow-lists are computed here, not per request. */
export function createHostOriginGuard(options: HostOriginGuardOptions): Guard {
  const hosts = [...localhostAllowedHostnames(), ...options.allowedHosts];
  const origins = [...localhostAllowedOrigins(), ...options.allowedHosts];
  return function hostOriginGuard(request) {
    return hostHeaderValidationResponse(request, hosts) ?? originValidationResponse(request, origins);
  };
}
