/**
 * The authorization server in-process with no socket: requests go straight
 * into its handler, the clock is the test's, consent lines are collected.
 *
 * @module
 */
import { silentLogger } from "../../src/log.ts";
import { openDatabase, type StateDatabase } from "../../src/state/database.ts";
import { createOAuthServer, type OAuthServer } from "../../src/oauth/oauth_server.ts";
import { createOAuthGuard } from "../../src/http/oauth_guard.ts";
import type { AuthGuard } from "../../src/http/auth.ts";
import type { MetadataFetch } from "../../src/oauth/clients.ts";
import { CHATGPT_REDIRECT_PATTERNS } from "../../src/config/serve_config.ts";
import { s256 } from "../../src/oauth/tokens.ts";
import { formFields } from "../fixtures/oauth_bridge.ts";

export const ISSUER = "https://bridge.example";
export const RESOURCE = `${ISSUER}/mcp`;
export const CHATGPT_REDIRECT = "https://chatgpt.com/connector_platform_oauth_redirect";
export const VERIFIER = "v".repeat(20) + "-verifier-of-43-or-more-chars";

/** Options for {@linkcode startHarness}. */
export interface HarnessOptions {
  issuer?: string;
  stateDir?: string;
  extraResources?: string[];
  fetch?: MetadataFetch;
}

/** A test's authorization server. */
export interface Harness {
  server: OAuthServer;
  guard: AuthGuard;
  stateDir: string;
  state: StateDatabase;
  consentLines: string[];
  /** Moves the server's clock. */
  advance(ms: number): void;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Registers a client (DCR) with these redirect URIs; returns its client_id. */
  register(redirectUris?: string[], name?: string): Promise<string>;
  /** The authorize URL for a client, with S256 PKCE of {@linkcode VERIFIER} unless overridden. */
  authorizeUrl(clientId: string, overrides?: Record<string, string | null>): URL;
  /** Opens the page and returns its form fields and the printed code. */
  openConsent(url: URL): Promise<{ request: string; csrf: string; code: string; html: string; response: Response }>;
  /** Posts the consent form. */
  answer(url: URL, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** The whole owner approval; returns the authorization code. */
  approve(clientId: string, overrides?: Record<string, string | null>): Promise<string>;
  /** Posts to the token endpoint. */
  token(form: Record<string, string>): Promise<Response>;
  /** Exchanges a code with the right verifier; returns the token response body. */
  exchange(clientId: string, code: string, redirectUri?: string): Promise<Record<string, string>>;
  /** Runs the resource-server guard on an MCP request with this token. */
  check(token: string): Promise<Response | unknown>;
  /** Closes the database (the folder stays when it was given). */
  close(): Promise<void>;
}

/** Starts the server; see the module doc. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ownState = options.stateDir === undefined;
  const stateDir = options.stateDir ?? await Deno.makeTempDir({ prefix: "oauth-unit-" });
  const state = await openDatabase(stateDir, { exclusive: true });
  let clock = Date.now();
  const consentLines: string[] = [];
  const issuer = options.issuer ?? ISSUER;
  const server = createOAuthServer({
    issuer,
    resource: `${issuer}/mcp`,
    extraResources: options.extraResources ?? [],
    redirectPatterns: [...CHATGPT_REDIRECT_PATTERNS, "http://127.0.0.1:*/callback"],
    state,
    consent: (line) => consentLines.push(line),
    log: silentLogger,
    fetch: options.fetch,
    now: () => clock,
  });
  const guard = createOAuthGuard({
    verifier: server.verifier,
    resourceMetadataUrl: server.documents.resourceMetadataUrl,
    requiredScopes: ["codex"],
  });
  const request = async (path: string, init?: RequestInit) => {
    const response = await server.handle(new Request(new URL(path, issuer), init));
    if (!response) throw new Error(`no route for ${path}`);
    return response;
  };
  const harness: Harness = {
    server,
    guard,
    stateDir,
    state,
    consentLines,
    advance: (ms) => void (clock += ms),
    request,
    async register(redirectUris = [CHATGPT_REDIRECT], name = "Test client") {
      const response = await request("/oauth/register", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_name: name, redirect_uris: redirectUris }),
      });
      const body = await response.json();
      if (response.status !== 201) throw new Error(`registration refused: ${JSON.stringify(body)}`);
      return body.client_id;
    },
    authorizeUrl(clientId, overrides = {}) {
      const url = new URL("/oauth/authorize", issuer);
      const params: Record<string, string | null> = {
        response_type: "code",
        client_id: clientId,
        redirect_uri: CHATGPT_REDIRECT,
        state: "state-123",
        scope: "codex",
        resource: `${issuer}/mcp`,
        code_challenge: s256(VERIFIER),
        code_challenge_method: "S256",
        ...overrides,
      };
      for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
      return url;
    },
    async openConsent(url) {
      const before = consentLines.length;
      const response = await request(url.pathname + url.search);
      const html = await response.clone().text();
      if (response.status !== 200 || consentLines.length !== before + 1) {
        throw new Error(`no consent page (${response.status}): ${html.slice(0, 300)}`);
      }
      const code = consentLines.at(-1)!.match(/consent code: ([A-Z0-9]{4}-[A-Z0-9]{4})/)![1];
      return { ...formFields(html), code, html, response };
    },
    answer(url, fields, headers = {}) {
      return request(url.pathname + url.search, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(fields),
      });
    },
    async approve(clientId, overrides) {
      const url = harness.authorizeUrl(clientId, overrides);
      const { request: id, csrf, code } = await harness.openConsent(url);
      const response = await harness.answer(url, { request: id, csrf, code, action: "approve" });
      const location = new URL(response.headers.get("location")!);
      const authorizationCode = location.searchParams.get("code");
      if (response.status !== 303 || !authorizationCode) throw new Error(`not approved: ${location}`);
      return authorizationCode;
    },
    token(form) {
      return request("/oauth/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form),
      });
    },
    async exchange(clientId, code, redirectUri = CHATGPT_REDIRECT) {
      const response = await harness.token({
        grant_type: "authorization_code",
        client_id: clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: VERIFIER,
        resource: `${issuer}/mcp`,
      });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`exchange refused: ${JSON.stringify(body)}`);
      return body;
    },
    check(token) {
      return guard(new Request(`${issuer}/mcp`, { method: "POST", headers: { authorization: `Bearer ${token}` } }));
    },
    async close() {
      state.close();
      if (ownState) await Deno.remove(stateDir, { recursive: true });
    },
  };
  return harness;
}

/** Whether a guard result let the request through. */
export function allowed(result: unknown): boolean {
  return result !== undefined && !(result instanceof Response);
}

/** The status of a refused guard result (0 when it was let through). */
export function refusedStatus(result: unknown): number {
  return result instanceof Response ? result.status : 0;
}
