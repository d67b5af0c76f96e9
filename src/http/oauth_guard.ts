/**
 * The OAuth resource-server guard, beside the bearer guard (auth.ts): the
 * MCP SDK's `requireBearerAuth` with the authorization server's verifier
 * (tokens read from the state database on every request, so a revocation
 * counts at once), the bridge's scope required (403 `insufficient_scope`
 * without it) and a 401 that points to the protected resource metadata.
 *
 * @module
 */
import {
  bearerAuthChallengeResponse,
  OAuthError,
  OAuthErrorCode,
  type OAuthTokenVerifier,
  requireBearerAuth,
} from "@modelcontextprotocol/server";
import { type AuthGuard, malformedAuthorization } from "./auth.ts";

/** Options for {@linkcode createOAuthGuard}. */
export interface OAuthGuardOptions {
  verifier: OAuthTokenVerifier;
  /** Advertised in `WWW-Authenticate: Bearer resource_metadata="…"`. */
  resourceMetadataUrl: string;
  /** Scopes a token must carry. */
  requiredScopes: string[];
}

/** Builds the guard; see the module doc. */
export function createOAuthGuard(options: OAuthGuardOptions): AuthGuard {
  const gate = requireBearerAuth(options);
  return function oauthGuard(request) {
    if (malformedAuthorization(request)) {
      return Promise.resolve(
        bearerAuthChallengeResponse(
          new OAuthError(OAuthErrorCode.InvalidToken, "Malformed Authorization header"),
          options,
        ),
      );
    }
    return gate(request);
  };
}
