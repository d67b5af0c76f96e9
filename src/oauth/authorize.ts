/**
 * The authorization endpoint with owner consent. `GET /oauth/authorize`
 * checks the request (client, exact redirect URI, PKCE S256, resource,
 * scope), prints a one-time consent code on the bridge's stdout and shows a
 * page asking for it; `POST` checks the form's CSRF token and the code.
 * Codes expire after 5 minutes, 5 wrong tries end the request, nothing is
 * remembered. The consent code defeats consent phishing: a link someone else
 * sent cannot be approved without the terminal only the owner sees.
 *
 * @module
 */
import { randomBytes, randomInt } from "node:crypto";
import { OAuthError } from "@modelcontextprotocol/server";
import type { Logger } from "../log.ts";
import { secretsEqual } from "../http/auth.ts";
import type { ClientDirectory, OAuthClient } from "./clients.ts";
import { consentPage, errorPage, pageHeaders } from "./consent_page.ts";
import { BRIDGE_SCOPE } from "./metadata.ts";
import { assertNoRepeats, readForm } from "./responses.ts";
import type { TokenService } from "./tokens.ts";

/** Where the consent line goes (the bridge's stdout; a test's collector). */
export type ConsentSink = (line: string) => void;

/** Options for {@linkcode AuthorizeEndpoint}. */
export interface AuthorizeOptions {
  issuer: string;
  /** Resources a client may ask for; the first is the default. */
  resources: readonly string[];
  clients: ClientDirectory;
  tokens: TokenService;
  consent: ConsentSink;
  log: Logger;
  /** @default 300000 */
  consentLifetimeMs?: number;
  /** @default 5 */
  maxTries?: number;
  /** @default Date.now */
  now?: () => number;
}

interface PendingRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | null;
  codeChallenge: string;
  resource: string;
  scope: string;
  consentCode: string;
  csrf: string;
  tries: number;
  expiresAt: number;
}

/** Letters and digits that cannot be misread for one another (no I, O, 0, 1). */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const MAX_PENDING = 20;
/** Consent codes printed per minute at most: a flood of authorize requests must not bury the owner's terminal. */
const MAX_CODES_PER_MINUTE = 10;

/** A fresh consent code, `XXXX-XXXX` (40 bits). */
export function newConsentCode(): string {
  const chars = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]);
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`;
}

function normaliseCode(text: string): string {
  return text.replace(/[\s-]/g, "").toUpperCase();
}

function page(html: string, status = 200, redirectUri?: string): Response {
  return new Response(html, { status, headers: pageHeaders(redirectUri && new URL(redirectUri).origin) });
}

/** Thrown for a request whose answer must not go to its redirect URI. */
class PageError extends Error {}

/** The authorization endpoint; see the module doc. */
export class AuthorizeEndpoint {
  readonly #options: AuthorizeOptions;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #printedAt: number[] = [];
  readonly #now: () => number;

  constructor(options: AuthorizeOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Handles `GET` (show the consent page) and `POST` (the owner's answer). */
  async handle(request: Request): Promise<Response> {
    try {
      if (request.method === "GET") return await this.#start(new URL(request.url).searchParams);
      if (request.method === "POST") return await this.#answer(request);
      return page(errorPage("Method not allowed"), 405);
    } catch (error) {
      if (error instanceof PageError) return page(errorPage(error.message), 400);
      if (error instanceof OAuthError) return page(errorPage(error.message), 400);
      throw error;
    }
  }

  #redirect(target: { redirectUri: string; state: string | null }, params: Record<string, string>): Response {
    const url = new URL(target.redirectUri);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    if (target.state !== null) url.searchParams.set("state", target.state);
    // RFC 9207: the issuer on every answer, success or error, so a client can tell servers apart.
    url.searchParams.set("iss", this.#options.issuer);
    return new Response(null, {
      status: 303,
      headers: { location: url.href, "cache-control": "no-store", "referrer-policy": "no-referrer" },
    });
  }

  async #start(params: URLSearchParams): Promise<Response> {
    assertNoRepeats(params);
    const clientId = params.get("client_id");
    if (!clientId) throw new PageError("The request names no client_id.");
    const client = await this.#options.clients.resolve(clientId);
    const redirectUri = params.get("redirect_uri");
    if (!redirectUri) throw new PageError("The request names no redirect_uri.");
    if (!client.redirectUris.includes(redirectUri) || !this.#options.clients.redirectAllowed(redirectUri)) {
      throw new PageError("The redirect_uri is not registered for this client or not allowed by this bridge.");
    }
    const target = { redirectUri, state: params.get("state") };
    const fail = (code: string, description: string) =>
      this.#redirect(target, { error: code, error_description: description });
    if (params.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be code");
    if (params.get("code_challenge_method") !== "S256") {
      return fail("invalid_request", "PKCE with code_challenge_method S256 is required (plain is refused)");
    }
    const codeChallenge = params.get("code_challenge") ?? "";
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) return fail("invalid_request", "code_challenge is not S256");
    const resource = params.get("resource") ?? this.#options.resources[0];
    if (!this.#options.resources.includes(resource)) return fail("invalid_target", "Unknown resource");
    const scopes = (params.get("scope") ?? "").split(" ").filter(Boolean);
    if (scopes.some((scope) => scope !== BRIDGE_SCOPE)) {
      return fail("invalid_scope", `The only scope is ${BRIDGE_SCOPE}`);
    }

    const now = this.#now();
    while (this.#printedAt.length > 0 && this.#printedAt[0] <= now - 60_000) this.#printedAt.shift();
    if (this.#printedAt.length >= MAX_CODES_PER_MINUTE) {
      this.#options.log.warn("oauth consent request refused: too many in the last minute", { clientId });
      return page(errorPage("Too many approval requests in the last minute; wait a minute and try again."), 429);
    }
    this.#printedAt.push(now);
    for (const [key, pending] of this.#pending) if (pending.expiresAt <= now) this.#pending.delete(key);
    if (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
    const requestId = randomBytes(16).toString("base64url");
    const pending: PendingRequest = {
      client,
      redirectUri,
      state: target.state,
      codeChallenge,
      resource,
      scope: BRIDGE_SCOPE,
      consentCode: newConsentCode(),
      csrf: randomBytes(32).toString("base64url"),
      tries: 0,
      expiresAt: now + (this.#options.consentLifetimeMs ?? 300_000),
    };
    this.#pending.set(requestId, pending);
    const redirectHost = new URL(redirectUri).host;
    this.#options.consent(
      `codex-gpt-bridge: consent code: ${pending.consentCode} for ${JSON.stringify(client.clientName)} ` +
        `(answer to ${redirectHost}); type it on the authorize page only if you started this connection`,
    );
    this.#options.log.info("oauth consent requested", { clientName: client.clientName, clientId, redirectHost });
    return page(consentPage(this.#view(requestId, pending)), 200, redirectUri);
  }

  #view(requestId: string, pending: PendingRequest, notice?: string) {
    return {
      clientName: pending.client.clientName,
      clientId: pending.client.clientId,
      redirectHost: new URL(pending.redirectUri).host,
      scope: `${pending.scope}: run and read with Codex in this bridge's roots`,
      requestId,
      csrf: pending.csrf,
      notice,
    };
  }

  async #answer(request: Request): Promise<Response> {
    const form = await readForm(request);
    const requestId = form.get("request") ?? "";
    const pending = this.#pending.get(requestId);
    if (!pending) throw new PageError("This approval request has ended or never existed; start again from the client.");
    if (pending.expiresAt <= this.#now()) {
      this.#pending.delete(requestId);
      throw new PageError("This approval request expired (5 minutes); start again from the client.");
    }
    if (!secretsEqual(form.get("csrf") ?? "", pending.csrf)) {
      this.#options.log.warn("oauth consent form refused: wrong CSRF token", { clientName: pending.client.clientName });
      return page(errorPage("The form token is missing or wrong; reload the authorize page from the client."), 403);
    }
    if (form.get("action") === "deny") {
      this.#pending.delete(requestId);
      this.#options.log.info("oauth consent denied", { clientName: pending.client.clientName });
      return this.#redirect(pending, { error: "access_denied", error_description: "The owner denied access" });
    }
    if (!secretsEqual(normaliseCode(form.get("code") ?? ""), normaliseCode(pending.consentCode))) {
      pending.tries++;
      const left = (this.#options.maxTries ?? 5) - pending.tries;
      this.#options.log.warn("oauth consent code wrong", { clientName: pending.client.clientName, triesLeft: left });
      if (left <= 0) {
        this.#pending.delete(requestId);
        return this.#redirect(pending, { error: "access_denied", error_description: "Too many wrong consent codes" });
      }
      const notice = `Wrong code; ${left} tries left.`;
      return page(consentPage(this.#view(requestId, pending, notice)), 400, pending.redirectUri);
    }
    this.#pending.delete(requestId);
    const code = this.#options.tokens.issueCode({
      clientId: pending.client.clientId,
      clientName: pending.client.clientName,
      redirectUri: pending.redirectUri,
      codeChallenge: pending.codeChallenge,
      resource: pending.resource,
      scope: pending.scope,
    });
    this.#options.log.info("oauth consent approved", { clientName: pending.client.clientName });
    return this.#redirect(pending, { code });
  }
}
