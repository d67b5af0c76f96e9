/**
 * The authorization server as one request handler: the discovery documents,
 * `/oauth/register`, `/oauth/authorize`, `/oauth/token`, `/oauth/revoke`,
 * and the verifier the resource-server guard (src/http/oauth_guard.ts) uses.
 * Its state is the OAuth component of the bridge's state database.
 *
 * @module
 */
import { OAuthError, OAuthErrorCode, type OAuthTokenVerifier } from "@modelcontextprotocol/server";
import type { Logger } from "../log.ts";
import type { StateDatabase } from "../state/database.ts";
import { AuthorizeEndpoint, type ConsentSink } from "./authorize.ts";
import { ClientDirectory, type MetadataFetch } from "./clients.ts";
import { buildOAuthDocuments, metadataResponse, OAUTH_PATHS, type OAuthDocuments } from "./metadata.ts";
import { noStoreJson, oauthErrorResponse, readBody } from "./responses.ts";
import { OAuthStore, type TokenLifetimes } from "./store.ts";
import { TokenService } from "./tokens.ts";

const PREFLIGHT = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
  "access-control-max-age": "600",
} as const;

/** Options for {@linkcode createOAuthServer}. */
export interface OAuthServerOptions {
  /** The public origin. */
  issuer: string;
  /** `<issuer>/mcp`. */
  resource: string;
  extraResources: readonly string[];
  redirectPatterns: readonly string[];
  state: StateDatabase;
  consent: ConsentSink;
  log: Logger;
  /** For client metadata documents. @default globalThis.fetch */
  fetch?: MetadataFetch;
  /** @default Date.now */
  now?: () => number;
  lifetimes?: Partial<TokenLifetimes>;
}

/** A running authorization server. */
export interface OAuthServer {
  /** Answers an OAuth or well-known path; undefined for any other path. */
  handle(request: Request): Promise<Response | undefined>;
  verifier: OAuthTokenVerifier;
  documents: OAuthDocuments;
  store: OAuthStore;
  tokens: TokenService;
  /**
   * Whether a request with `Origin: null` may pass the origin check: only the
   * consent form's POST (Chrome sends a null origin under `no-referrer`; the
   * form carries its own CSRF token).
   */
  nullOriginOk(request: Request): boolean;
}

/** Builds the authorization server; see the module doc. */
export function createOAuthServer(options: OAuthServerOptions): OAuthServer {
  const { log, now } = options;
  const resources = [options.resource, ...options.extraResources];
  const store = new OAuthStore(options.state, { issuer: options.issuer, now, lifetimes: options.lifetimes });
  const clients = new ClientDirectory({
    store,
    redirectPatterns: options.redirectPatterns,
    log,
    fetch: options.fetch,
    now,
  });
  const tokens = new TokenService({ store, resources, log, now });
  const authorize = new AuthorizeEndpoint({
    issuer: options.issuer,
    resources,
    clients,
    tokens,
    consent: options.consent,
    log,
    now,
  });
  const documents = buildOAuthDocuments(options.issuer, options.resource);

  async function register(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      return oauthErrorResponse(new OAuthError(OAuthErrorCode.InvalidRequest, "Use POST"), 405);
    }
    try {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(request));
      } catch (error) {
        if (error instanceof OAuthError) throw error;
        throw new OAuthError(OAuthErrorCode.InvalidClientMetadata, "Expected a JSON body");
      }
      return noStoreJson(clients.register(body), 201);
    } catch (error) {
      if (error instanceof OAuthError) {
        log.warn("oauth registration refused", { reason: error.message });
        return oauthErrorResponse(error);
      }
      throw error;
    }
  }

  return {
    documents,
    store,
    tokens,
    verifier: { verifyAccessToken: (token) => tokens.verifyAccessToken(token) },
    nullOriginOk: (request) => request.method === "POST" && new URL(request.url).pathname === OAUTH_PATHS.authorize,
    async handle(request) {
      const well = metadataResponse(request, documents);
      if (well) return well;
      const { pathname } = new URL(request.url);
      if (pathname === OAUTH_PATHS.authorize) return await authorize.handle(request);
      const endpoint = pathname === OAUTH_PATHS.token
        ? tokens.tokenEndpoint.bind(tokens)
        : pathname === OAUTH_PATHS.register
        ? register
        : pathname === OAUTH_PATHS.revoke
        ? tokens.revokeEndpoint.bind(tokens)
        : undefined;
      if (!endpoint) return undefined;
      // Browser-based clients (MCP Inspector) call these cross-origin; no cookie is involved, so "*" is safe.
      if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: PREFLIGHT });
      const response = await endpoint(request);
      response.headers.set("access-control-allow-origin", "*");
      return response;
    },
  };
}
