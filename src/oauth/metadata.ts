/**
 * The two discovery documents: protected resource metadata (RFC 9728) at
 * both `/.well-known/oauth-protected-resource` (ChatGPT probes the root form)
 * and `/.well-known/oauth-protected-resource/mcp`, and authorization server
 * metadata (RFC 8414) at `/.well-known/oauth-authorization-server` (and its
 * `/mcp` form, which ChatGPT probes). Built on
 * the MCP SDK's resource-server helpers. No OpenID configuration and no OIDC
 * scopes: ChatGPT asks for every scope advertised.
 *
 * @module
 */
import {
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  type OAuthMetadata,
} from "@modelcontextprotocol/server";

/** The one scope: using the bridge's tools. */
export const BRIDGE_SCOPE = "codex";

/** Paths of the authorization server's endpoints. */
export const OAUTH_PATHS = {
  authorize: "/oauth/authorize",
  token: "/oauth/token",
  register: "/oauth/register",
  revoke: "/oauth/revoke",
} as const;

/** The documents and the challenge URL, computed once. */
export interface OAuthDocuments {
  /** RFC 8414 authorization server metadata. */
  authorizationServer: Record<string, unknown>;
  /** RFC 9728 protected resource metadata. */
  protectedResource: Record<string, unknown>;
  /** What a 401 points to in `resource_metadata`. */
  resourceMetadataUrl: string;
}

/** Builds the documents for an issuer (the public origin) and its resource (`<issuer>/mcp`). */
export function buildOAuthDocuments(issuer: string, resource: string): OAuthDocuments {
  const url = (path: string) => new URL(path, issuer).href;
  const authorizationServer = {
    issuer,
    authorization_endpoint: url(OAUTH_PATHS.authorize),
    token_endpoint: url(OAUTH_PATHS.token),
    registration_endpoint: url(OAUTH_PATHS.register),
    revocation_endpoint: url(OAUTH_PATHS.revoke),
    scopes_supported: [BRIDGE_SCOPE],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  } satisfies OAuthMetadata & Record<string, unknown>;
  const resourceUrl = new URL(resource);
  const protectedResource = {
    ...buildOAuthProtectedResourceMetadata({
      oauthMetadata: authorizationServer,
      resourceServerUrl: resourceUrl,
      scopesSupported: [BRIDGE_SCOPE],
      resourceName: "codex-gpt-bridge",
      // The config allows http for loopback hosts only (tests); the SDK knows fewer loopback names.
      dangerouslyAllowInsecureIssuerUrl: new URL(issuer).protocol === "http:",
    }),
    bearer_methods_supported: ["header"],
  };
  return {
    authorizationServer,
    protectedResource,
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resourceUrl),
  };
}

const CORS = { "access-control-allow-origin": "*" } as const;

/** Answers a well-known request, or undefined when the path is none of the three. */
export function metadataResponse(request: Request, documents: OAuthDocuments): Response | undefined {
  const path = new URL(request.url).pathname.replace(/(.)\/$/, "$1");
  // ChatGPT also asks for the path-suffixed form of the authorization server document.
  const document = path === "/.well-known/oauth-authorization-server" ||
      path === "/.well-known/oauth-authorization-server/mcp"
    ? documents.authorizationServer
    : path === "/.well-known/oauth-protected-resource" || path === "/.well-known/oauth-protected-resource/mcp"
    ? documents.protectedResource
    : undefined;
  if (!document) return undefined;
  if (request.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { ...CORS, "access-control-allow-methods": "GET, HEAD, OPTIONS", "access-control-allow-headers": "*" },
    });
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return Response.json({ error: "method_not_allowed", error_description: "Use GET" }, {
      status: 405,
      headers: { ...CORS, allow: "GET, HEAD, OPTIONS" },
    });
  }
  const body = request.method === "HEAD" ? null : JSON.stringify(document);
  return new Response(body, { headers: { ...CORS, "content-type": "application/json" } });
}
