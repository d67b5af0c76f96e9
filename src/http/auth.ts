/**
 * Bearer-token authentication through the MCP SDK's `requireBearerAuth`
 * (401 with a `WWW-Authenticate` challenge), with a verifier that compares
 * tokens in constant time. Only the `Authorization` header is read: a token
 * in the query string is never accepted.
 *
 * @module
 */
import { type AuthInfo, OAuthError, OAuthErrorCode, requireBearerAuth } from "@modelcontextprotocol/server";
import type { AuthMode } from "../config/serve_config.ts";

/** Either the caller's identity or the refusal to send back. */
export type AuthGuard = (request: Request) => Promise<AuthInfo | Response | undefined>;

// Static tokens do not expire, but the SDK requires an expiry: far in the future.
const NEVER = () => Math.floor(Date.now() / 1000) + 365 * 24 * 3600;

const encoder = new TextEncoder();

/** Whether two secrets are equal, in time independent of where they differ. */
export function secretsEqual(given: string, expected: string): boolean {
  // Plain code, not `node:crypto`'s timingSafeEqual: its polyfill costs the bridge's start ~30 ms to load.
  // Every byte of `expected` is compared, with no early exit, so the time depends on the lengths alone.
  const [a, b] = [encoder.encode(given), encoder.encode(expected)];
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ b[i];
  return difference === 0;
}

/** Whether the request has an `Authorization` header that is not exactly `Bearer <token>` (the SDK would read "Bearer <token> junk" as the token). */
export function malformedAuthorization(request: Request): boolean {
  const header = request.headers.get("authorization");
  return header !== null && !/^bearer [^\s]+$/i.test(header);
}

/** What a bearer-mode 401 says, so clients stop guessing at OAuth. */
export const BEARER_REFUSAL = 'This bridge wants its bearer token: send "Authorization: Bearer <token>" with the ' +
  "token printed at its start or given with --token (it does not use OAuth)";

// The SDK's challenge, with the plain message and a realm, and still without resource_metadata.
function bearerRefusal(status: number): Response {
  return Response.json({ error: "invalid_token", error_description: BEARER_REFUSAL }, {
    status,
    headers: {
      "www-authenticate": `Bearer realm="codex-gpt-bridge", error="invalid_token", error_description="${
        BEARER_REFUSAL
          .replaceAll('"', "'")
      }"`,
    },
  });
}

/** Builds the guard for bearer or no auth: `undefined` (no auth), `AuthInfo`, or a 401 `Response`. */
export function createAuthGuard(auth: Exclude<AuthMode, { kind: "oauth" }>): AuthGuard {
  if (auth.kind === "none") return () => Promise.resolve(undefined);
  const gate = requireBearerAuth({
    verifier: {
      verifyAccessToken(token) {
        if (!secretsEqual(token, auth.token)) {
          return Promise.reject(new OAuthError(OAuthErrorCode.InvalidToken, "Invalid bearer token"));
        }
        return Promise.resolve({ token, clientId: "bearer-token", scopes: [], expiresAt: NEVER() });
      },
    },
  });
  return async function authGuard(request) {
    if (malformedAuthorization(request)) return bearerRefusal(401);
    const result = await gate(request);
    return result instanceof Response && result.status === 401 ? bearerRefusal(401) : result;
  };
}
