/**
 * Authorization codes, the token endpoint (authorization_code and
 * refresh_token grants), revocation (RFC 7009) and access-token
 * verification for the resource-server guard.
 *
 * Codes live 60 s in memory, bound to client, redirect URI, PKCE challenge
 * (S256), resource and scope, and are spent on first presentation; a replay
 * revokes the grant the first one produced. Access tokens (1 h) and rotating
 * refresh tokens are opaque 256-bit values kept only as hashes (see store.ts).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type AuthInfo, OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server";
import type { Logger } from "../log.ts";
import { secretsEqual } from "../http/auth.ts";
import { hashToken, type IssuedTokens, newToken, type OAuthStore } from "./store.ts";
import { NO_STORE, noStoreJson, oauthErrorResponse, readForm } from "./responses.ts";

/** What an authorization code is bound to. */
export interface CodeBinding {
  clientId: string;
  clientName: string;
  redirectUri: string;
  /** base64url(SHA-256(code_verifier)). */
  codeChallenge: string;
  resource: string;
  scope: string;
}

interface CodeRecord {
  binding: CodeBinding;
  expiresAt: number;
  used: boolean;
  /** The grant the first exchange produced: revoked on a replay. */
  grantId?: string;
}

/** Options for {@linkcode TokenService}. */
export interface TokenServiceOptions {
  store: OAuthStore;
  /** Resources a token may be used for: the primary one and any extra. */
  resources: readonly string[];
  log: Logger;
  /** @default 60000 */
  codeLifetimeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const MAX_CODES = 200;

/** base64url(SHA-256(verifier)): the S256 code challenge (RFC 7636). */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

function grantError(message: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidGrant, message);
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new OAuthError(OAuthErrorCode.InvalidRequest, `Missing ${name}`);
  return value;
}

/**
 * The client_id of an HTTP Basic `Authorization` header: a client that was
 * registered as public but still sends `client_secret_basic` (its secret,
 * never issued, is ignored).
 */
function basicClientId(request: Request): string | null {
  const match = (request.headers.get("authorization") ?? "").match(/^basic ([A-Za-z0-9+/=]+)$/i);
  if (!match) return null;
  try {
    const decoded = atob(match[1]);
    const id = decodeURIComponent(decoded.slice(0, decoded.includes(":") ? decoded.indexOf(":") : undefined));
    return id || null;
  } catch {
    return null;
  }
}

/** Codes, tokens, revocation and verification. */
export class TokenService {
  readonly #options: TokenServiceOptions;
  readonly #codes = new Map<string, CodeRecord>();
  readonly #now: () => number;

  constructor(options: TokenServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Mints an authorization code for an approved request. */
  issueCode(binding: CodeBinding): string {
    const now = this.#now();
    for (const [key, record] of this.#codes) if (record.expiresAt <= now) this.#codes.delete(key);
    if (this.#codes.size >= MAX_CODES) this.#codes.delete(this.#codes.keys().next().value!);
    const code = newToken();
    this.#codes.set(hashToken(code), {
      binding,
      expiresAt: now + (this.#options.codeLifetimeMs ?? 60_000),
      used: false,
    });
    return code;
  }

  /** `POST /oauth/token`. */
  async tokenEndpoint(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      return oauthErrorResponse(new OAuthError(OAuthErrorCode.InvalidRequest, "Use POST"), 405);
    }
    try {
      const form = await readForm(request);
      const grantType = required(form, "grant_type");
      const clientId = form.get("client_id") ?? basicClientId(request);
      if (!clientId) throw new OAuthError(OAuthErrorCode.InvalidClient, "Missing client_id (public clients send it)");
      const tokens = grantType === "authorization_code"
        ? this.#exchangeCode(form, clientId)
        : grantType === "refresh_token"
        ? this.#refresh(form, clientId)
        : undefined;
      if (!tokens) {
        throw new OAuthError(
          OAuthErrorCode.UnsupportedGrantType,
          `Unsupported grant_type ${JSON.stringify(grantType)}`,
        );
      }
      return noStoreJson({
        access_token: tokens.accessToken,
        token_type: "Bearer",
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
        scope: tokens.grant.scope,
      });
    } catch (error) {
      if (error instanceof OAuthError) {
        this.#options.log.warn("oauth token request refused", { error: error.code, reason: error.message });
        return oauthErrorResponse(error);
      }
      throw error;
    }
  }

  #exchangeCode(form: URLSearchParams, clientId: string): IssuedTokens {
    const code = required(form, "code");
    const record = this.#codes.get(hashToken(code));
    if (!record) throw grantError("Unknown or expired authorization code");
    if (record.used) {
      // A second presentation means the code leaked: whatever the first one obtained is revoked.
      if (record.grantId) this.#options.store.revokeGrant(record.grantId);
      this.#options.log.warn("oauth authorization code replayed: grant revoked", {
        clientName: record.binding.clientName,
      });
      throw grantError("Authorization code already used; the grant it produced is revoked");
    }
    record.used = true;
    const { binding } = record;
    if (record.expiresAt <= this.#now()) throw grantError("Authorization code expired");
    if (binding.clientId !== clientId) throw grantError("Authorization code was issued to another client");
    if (form.get("redirect_uri") !== binding.redirectUri) {
      throw grantError("redirect_uri does not match the authorize request");
    }
    const verifier = required(form, "code_verifier");
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !secretsEqual(s256(verifier), binding.codeChallenge)) {
      throw grantError("code_verifier does not match the code_challenge");
    }
    const resource = form.get("resource");
    if (resource !== null && resource !== binding.resource) {
      throw new OAuthError(OAuthErrorCode.InvalidTarget, "resource differs from the authorize request");
    }
    const tokens = this.#options.store.createGrant({
      clientId,
      clientName: binding.clientName,
      redirectUri: binding.redirectUri,
      scope: binding.scope,
      resource: binding.resource,
    });
    record.grantId = tokens.grant.id;
    this.#options.log.info("oauth grant issued", { grant: tokens.grant.id, clientName: binding.clientName });
    return tokens;
  }

  #refresh(form: URLSearchParams, clientId: string): IssuedTokens {
    const token = required(form, "refresh_token");
    const { store } = this.#options;
    const grant = store.grantOfToken(token);
    const resource = form.get("resource");
    if (grant && resource !== null && resource !== grant.resource) {
      throw new OAuthError(OAuthErrorCode.InvalidTarget, "resource differs from the grant's");
    }
    const scope = form.get("scope");
    if (grant && scope !== null && !scope.split(" ").every((s) => grant.scope.split(" ").includes(s))) {
      throw new OAuthError(OAuthErrorCode.InvalidScope, "A refresh cannot widen the scope");
    }
    const outcome = store.rotateRefreshToken(token, clientId);
    if (outcome.kind === "reused") {
      this.#options.log.warn("oauth refresh token reused: grant revoked", { grant: outcome.grantId });
      throw grantError("Refresh token already used; the grant is revoked");
    }
    if (outcome.kind === "invalid") throw grantError("Unknown, expired or revoked refresh token");
    return outcome.tokens;
  }

  /** `POST /oauth/revoke` (RFC 7009): ends the grant behind the token; 200 whether or not it existed. */
  async revokeEndpoint(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      return oauthErrorResponse(new OAuthError(OAuthErrorCode.InvalidRequest, "Use POST"), 405);
    }
    try {
      const form = await readForm(request);
      const token = required(form, "token");
      const grant = this.#options.store.grantOfToken(token);
      const clientId = form.get("client_id");
      if (grant && (clientId === null || clientId === grant.clientId)) {
        this.#options.store.revokeGrant(grant.id);
        this.#options.log.info("oauth grant revoked by its client", { grant: grant.id, clientName: grant.clientName });
      }
      return new Response(null, { status: 200, headers: NO_STORE });
    } catch (error) {
      if (error instanceof OAuthError) return oauthErrorResponse(error);
      throw error;
    }
  }

  /** The SDK verifier contract: `AuthInfo` for a live token of ours, else an `invalid_token` OAuthError. */
  verifyAccessToken(token: string): Promise<AuthInfo> {
    const found = this.#options.store.findAccessToken(token);
    if (!found) return Promise.reject(new OAuthError(OAuthErrorCode.InvalidToken, "Invalid or expired access token"));
    if (!this.#options.resources.includes(found.grant.resource)) {
      return Promise.reject(new OAuthError(OAuthErrorCode.InvalidToken, "Token was not issued for this resource"));
    }
    return Promise.resolve({
      // The token itself goes no further than this check: nothing downstream needs it, Codex least of all.
      token: `grant:${found.grant.id}`,
      clientId: found.grant.clientId,
      scopes: found.grant.scope.split(" "),
      expiresAt: Math.floor(found.expiresAt / 1000),
      resource: new URL(found.grant.resource),
      extra: { grantId: found.grant.id },
    });
  }
}
