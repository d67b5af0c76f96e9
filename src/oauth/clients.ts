/**
 * Who may ask for a grant. Two kinds of client: those that registered
 * themselves (RFC 7591 dynamic registration, persisted and capped) and those
 * whose `client_id` is the https URL of a Client ID Metadata Document
 * (ChatGPT's `https://chatgpt.com/oauth/client.json`), fetched with no
 * redirects, a short timeout and a size cap, and cached. Either way every
 * redirect URI must match one of the owner's patterns (ChatGPT's two forms by
 * default), compared as whole strings: no prefix, case or encoding games.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server";
import type { Logger } from "../log.ts";
import type { OAuthStore } from "./store.ts";
import { readCappedText } from "./responses.ts";

/** A client the authorization endpoint may serve. */
export interface OAuthClient {
  clientId: string;
  /** Shown on the consent page and in the log. */
  clientName: string;
  redirectUris: readonly string[];
  kind: "registered" | "metadata-document";
}

/** A `fetch` for metadata documents (injectable for tests). */
export type MetadataFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Options for {@linkcode ClientDirectory}. */
export interface ClientDirectoryOptions {
  store: OAuthStore;
  /** Redirect URI patterns; `*` matches one run of `[A-Za-z0-9._~-]`. */
  redirectPatterns: readonly string[];
  log: Logger;
  /** @default globalThis.fetch */
  fetch?: MetadataFetch;
  /** Most self-registered clients kept. @default 100 */
  maxRegistrations?: number;
  /** Largest metadata document read. @default 5120 */
  maxDocumentBytes?: number;
  /** @default 5000 */
  fetchTimeoutMs?: number;
  /** How long a fetched document is trusted. @default 600000 */
  cacheMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const NAME_MAX = 100;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Builds the whole-string matcher for redirect URI patterns. */
export function redirectMatcher(patterns: readonly string[]): (uri: string) => boolean {
  const regexes = patterns.map((pattern) =>
    new RegExp(`^${pattern.split("*").map(escapeRegExp).join("[A-Za-z0-9._~-]+")}$`)
  );
  return (uri) => {
    // Only a URI already in canonical form can match: a parser must not see another host than we do.
    let canonical: string;
    try {
      canonical = new URL(uri).href;
    } catch {
      return false;
    }
    return canonical === uri && !uri.includes("#") && !uri.includes("\\") && regexes.some((re) => re.test(uri));
  };
}

/** Hosts whose metadata documents may be fetched: the https hosts of the redirect patterns. */
export function metadataDocumentHosts(patterns: readonly string[]): string[] {
  const hosts = patterns.flatMap((pattern) => {
    if (!pattern.startsWith("https://")) return [];
    const host = new URL(pattern.replaceAll("*", "1")).host;
    return pattern.split("/")[2].includes("*") ? [] : [host];
  });
  return [...new Set(hosts)];
}

function cleanName(value: unknown, fallback: string): string {
  if (typeof value !== "string") return fallback;
  // Control and bidi characters could disguise the name on the consent page or in the terminal.
  const name = value.replace(/[\p{Cc}\p{Cf}]/gu, "").trim().slice(0, NAME_MAX);
  return name || fallback;
}

function metadataError(message: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidClientMetadata, message);
}

/** The clients this bridge knows, by `client_id`. */
export class ClientDirectory {
  readonly #options: ClientDirectoryOptions;
  readonly #allowed: (uri: string) => boolean;
  readonly #documentHosts: Set<string>;
  readonly #cache = new Map<string, { client: OAuthClient; until: number }>();

  constructor(options: ClientDirectoryOptions) {
    this.#options = options;
    this.#allowed = redirectMatcher(options.redirectPatterns);
    this.#documentHosts = new Set(metadataDocumentHosts(options.redirectPatterns));
  }

  /** Whether a redirect URI matches the owner's patterns. */
  redirectAllowed(uri: string): boolean {
    return this.#allowed(uri);
  }

  /** Dynamic registration (RFC 7591): validates the metadata, persists the client, returns the response body. */
  register(body: unknown): Record<string, unknown> {
    const { store, maxRegistrations = 100, now = Date.now } = this.#options;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw metadataError("Expected a JSON object of client metadata");
    }
    const meta = body as Record<string, unknown>;
    const uris = meta.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > 10 || !uris.every((u) => typeof u === "string")) {
      throw new OAuthError(OAuthErrorCode.InvalidRedirectUri, "redirect_uris must be 1 to 10 strings");
    }
    const refused = uris.find((uri) => !this.#allowed(uri));
    if (refused !== undefined) {
      throw new OAuthError(
        OAuthErrorCode.InvalidRedirectUri,
        `Redirect URI not allowed by this bridge: ${
          JSON.stringify(refused)
        } (the owner can add it with --oauth-redirect)`,
      );
    }
    // A client asking for a secret gets "none" instead (RFC 7591 lets the server replace values): PKCE, the exact
    // redirect URI and the owner's consent are what protect a grant here; a secret would add nothing.
    for (const [field, needed] of [["grant_types", "authorization_code"], ["response_types", "code"]] as const) {
      const list = meta[field];
      if (list !== undefined && (!Array.isArray(list) || !list.includes(needed))) {
        throw metadataError(`${field} must include "${needed}"`);
      }
    }
    // Registrations nobody completed within a day make room: a flood cannot lock out the owner's next client.
    if (store.countClients() >= maxRegistrations) store.pruneIdleClients(now() - 24 * 3600_000);
    if (store.countClients() >= maxRegistrations) {
      throw metadataError(
        `This bridge already has ${maxRegistrations} registered clients from the last day; try again later`,
      );
    }
    const client = {
      clientId: `c_${randomBytes(16).toString("base64url")}`,
      clientName: cleanName(meta.client_name, "unnamed client"),
      redirectUris: uris as string[],
      createdAt: now(),
    };
    store.saveClient(client);
    this.#options.log.info("oauth client registered", {
      clientName: client.clientName,
      redirectHosts: [...new Set(client.redirectUris.map((u) => new URL(u).host))],
    });
    return {
      client_id: client.clientId,
      client_id_issued_at: Math.floor(client.createdAt / 1000),
      client_name: client.clientName,
      redirect_uris: client.redirectUris,
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    };
  }

  /** The client behind `clientId`; throws an `invalid_client` OAuthError saying why not. */
  async resolve(clientId: string): Promise<OAuthClient> {
    if (clientId.startsWith("https://")) return await this.#fromDocument(clientId);
    const stored = this.#options.store.getClient(clientId);
    if (!stored) throw new OAuthError(OAuthErrorCode.InvalidClient, "Unknown client_id: register first");
    return { ...stored, kind: "registered" };
  }

  async #fromDocument(clientId: string): Promise<OAuthClient> {
    const { now = Date.now, cacheMs = 600_000 } = this.#options;
    const cached = this.#cache.get(clientId);
    if (cached && cached.until > now()) return cached.client;
    const client = await this.#fetchDocument(clientId);
    if (this.#cache.size >= 100) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(clientId, { client, until: now() + cacheMs });
    return client;
  }

  async #fetchDocument(clientId: string): Promise<OAuthClient> {
    const { fetch = globalThis.fetch, maxDocumentBytes = 5120, fetchTimeoutMs = 5000 } = this.#options;
    const refuse = (why: string) => new OAuthError(OAuthErrorCode.InvalidClient, `Client metadata document ${why}`);
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      throw refuse("URL is not valid");
    }
    if (url.href !== clientId || url.hash || url.username || url.password || url.pathname === "/") {
      throw refuse("URL must be a canonical https URL with a path");
    }
    // Only hosts the owner already trusts as redirect targets: no fetches to arbitrary (internal) addresses.
    if (!this.#documentHosts.has(url.host)) throw refuse(`host ${url.host} is not one this bridge fetches from`);
    let text: string;
    try {
      const response = await fetch(clientId, {
        redirect: "manual",
        signal: AbortSignal.timeout(fetchTimeoutMs),
        headers: { accept: "application/json" },
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw refuse(`answered ${response.status} (redirects are not followed)`);
      }
      text = await readCappedText(response, maxDocumentBytes, () => refuse(`is over ${maxDocumentBytes} bytes`));
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      this.#options.log.warn("client metadata document fetch failed", { clientId, error });
      throw refuse("could not be fetched");
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text);
    } catch {
      throw refuse("is not JSON");
    }
    if (typeof doc !== "object" || doc === null) throw refuse("is not a JSON object");
    if (doc.client_id !== clientId) throw refuse("names another client_id");
    const uris = doc.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === "string")) {
      throw refuse("has no redirect_uris");
    }
    // ChatGPT's document prefers private_key_jwt but lists "none" among the methods it supports: that is enough.
    const method = doc.token_endpoint_auth_method;
    const supported = doc.token_endpoint_auth_methods_supported;
    const canUseNone = method === undefined || method === "none" ||
      (Array.isArray(supported) && supported.includes("none"));
    if (!canUseNone) throw refuse(`asks for ${JSON.stringify(method)} and does not support "none"`);
    return {
      clientId,
      clientName: cleanName(doc.client_name, url.host),
      // Only the URIs the owner allows; the authorize endpoint then needs an exact match among them.
      redirectUris: (uris as string[]).filter((uri) => this.#allowed(uri)),
      kind: "metadata-document",
    };
  }
}
