/**
 * The OAuth component's tables in the bridge's state database: registered
 * clients, grants (one per approved client connection) and their tokens,
 * stored only as SHA-256 hashes. Every check reads the database, so a grant
 * revoked by `codex-gpt-bridge oauth revoke` (another process) stops working
 * at once. A different issuer (another public URL) wipes everything: tokens
 * minted for one address must not open another.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import type { StateDatabase } from "../state/database.ts";

/** This component's name in `schema_versions`. */
export const OAUTH_COMPONENT = "oauth";

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE oauth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE oauth_clients (
     client_id TEXT PRIMARY KEY, client_name TEXT NOT NULL, redirect_uris TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE oauth_grants (
     id TEXT PRIMARY KEY, client_id TEXT NOT NULL, client_name TEXT NOT NULL, redirect_uri TEXT NOT NULL,
     scope TEXT NOT NULL, resource TEXT NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL);
   CREATE TABLE oauth_tokens (
     hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
     expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);`,
];

/** A client registered through dynamic client registration (RFC 7591). */
export interface StoredClient {
  clientId: string;
  clientName: string;
  redirectUris: string[];
  createdAt: number;
}

/** One approved connection of a client: what `oauth list` shows and `oauth revoke` ends. */
export interface Grant {
  id: string;
  clientId: string;
  clientName: string;
  redirectUri: string;
  scope: string;
  resource: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastUsedAt: number;
  /** The absolute end of the grant: no refresh goes past it. */
  expiresAt: number;
}

/** What a new grant is made of. */
export type GrantInput = Pick<Grant, "clientId" | "clientName" | "redirectUri" | "scope" | "resource">;

/** Lifetimes, in milliseconds. */
export interface TokenLifetimes {
  /** @default 1 hour */
  accessMs: number;
  /** A refresh token unused this long expires. @default 30 days */
  refreshIdleMs: number;
  /** A grant ends this long after approval, refreshed or not. @default 90 days */
  grantMs: number;
}

/** The defaults of {@linkcode TokenLifetimes}. */
export const DEFAULT_LIFETIMES: TokenLifetimes = {
  accessMs: 3600_000,
  refreshIdleMs: 30 * 24 * 3600_000,
  grantMs: 90 * 24 * 3600_000,
};

/** A freshly minted token pair (the only time the plain values exist). */
export interface IssuedTokens {
  grant: Grant;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** The outcome of presenting a refresh token. */
export type RefreshOutcome =
  | { kind: "rotated"; tokens: IssuedTokens }
  | { kind: "reused"; grantId: string }
  | { kind: "invalid" };

/** Options for {@linkcode OAuthStore}. */
export interface OAuthStoreOptions {
  /** The issuer the stored grants belong to; another one wipes them. */
  issuer: string;
  /** @default Date.now */
  now?: () => number;
  lifetimes?: Partial<TokenLifetimes>;
}

/** SHA-256 of a token, hex: what the database keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A 256-bit random token, base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

type Row = Record<string, string | number | null>;

function grantOf(row: Row): Grant {
  return {
    id: String(row.id),
    clientId: String(row.client_id),
    clientName: String(row.client_name),
    redirectUri: String(row.redirect_uri),
    scope: String(row.scope),
    resource: String(row.resource),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Opens the OAuth tables of `state` (migrating them) without an issuer check: for `oauth list | revoke`. */
export function openGrantTables(state: StateDatabase): GrantTables {
  state.migrate(OAUTH_COMPONENT, MIGRATIONS);
  return new GrantTables(state);
}

/** Listing and revoking grants: all the maintenance command needs. */
export class GrantTables {
  constructor(protected readonly state: StateDatabase) {}

  /** Every grant still in force, newest first. */
  listGrants(now = Date.now()): Grant[] {
    const rows = this.state.db.prepare("SELECT * FROM oauth_grants WHERE expires_at > ? ORDER BY created_at DESC")
      .all(now) as Row[];
    return rows.map(grantOf);
  }

  /** Ends a grant and all its tokens; false if there was none. */
  revokeGrant(id: string): boolean {
    return this.state.transaction(() => {
      this.state.db.prepare("DELETE FROM oauth_tokens WHERE grant_id = ?").run(id);
      return Number(this.state.db.prepare("DELETE FROM oauth_grants WHERE id = ?").run(id).changes) > 0;
    });
  }

  /** Ends every grant; returns how many there were. */
  revokeAll(): number {
    return this.state.transaction(() => {
      this.state.db.exec("DELETE FROM oauth_tokens");
      return Number(this.state.db.prepare("DELETE FROM oauth_grants").run().changes);
    });
  }
}

/** The serving bridge's view: clients, grants and tokens for one issuer. */
export class OAuthStore extends GrantTables {
  readonly #now: () => number;
  readonly #lifetimes: TokenLifetimes;

  constructor(state: StateDatabase, options: OAuthStoreOptions) {
    super(state);
    this.#now = options.now ?? Date.now;
    this.#lifetimes = { ...DEFAULT_LIFETIMES, ...options.lifetimes };
    state.migrate(OAUTH_COMPONENT, MIGRATIONS);
    state.transaction(() => {
      const row = state.db.prepare("SELECT value FROM oauth_meta WHERE key = 'issuer'").get() as Row | undefined;
      if (row?.value === options.issuer) return;
      // Another public URL: nothing issued for the old one may be honoured here.
      state.db.exec("DELETE FROM oauth_tokens; DELETE FROM oauth_grants; DELETE FROM oauth_clients;");
      state.db.prepare("INSERT OR REPLACE INTO oauth_meta (key, value) VALUES ('issuer', ?)").run(options.issuer);
    });
  }

  /** How many clients registered themselves. */
  countClients(): number {
    return Number((this.state.db.prepare("SELECT count(*) AS n FROM oauth_clients").get() as Row).n);
  }

  /** Forgets registrations older than `before` (ms) that hold no grant; returns how many went. */
  pruneIdleClients(before: number): number {
    return Number(
      this.state.db.prepare(
        "DELETE FROM oauth_clients WHERE created_at < ? AND client_id NOT IN (SELECT client_id FROM oauth_grants)",
      ).run(before).changes,
    );
  }

  /** Persists a registered client. */
  saveClient(client: StoredClient): void {
    this.state.db.prepare(
      "INSERT INTO oauth_clients (client_id, client_name, redirect_uris, created_at) VALUES (?, ?, ?, ?)",
    ).run(client.clientId, client.clientName, JSON.stringify(client.redirectUris), client.createdAt);
  }

  /** A registered client, or undefined. */
  getClient(clientId: string): StoredClient | undefined {
    const row = this.state.db.prepare("SELECT * FROM oauth_clients WHERE client_id = ?").get(clientId) as
      | Row
      | undefined;
    if (!row) return undefined;
    return {
      clientId: String(row.client_id),
      clientName: String(row.client_name),
      redirectUris: JSON.parse(String(row.redirect_uris)),
      createdAt: Number(row.created_at),
    };
  }

  /** Records a new grant and mints its first token pair. */
  createGrant(input: GrantInput): IssuedTokens {
    const now = this.#now();
    const grant: Grant = {
      id: `g_${randomBytes(9).toString("base64url")}`,
      ...input,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.#lifetimes.grantMs,
    };
    return this.state.transaction(() => {
      this.state.db.prepare(
        "INSERT INTO oauth_grants (id, client_id, client_name, redirect_uri, scope, resource, created_at, " +
          "last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(
        grant.id,
        grant.clientId,
        grant.clientName,
        grant.redirectUri,
        grant.scope,
        grant.resource,
        grant.createdAt,
        grant.lastUsedAt,
        grant.expiresAt,
      );
      return this.#mint(grant, now);
    });
  }

  #mint(grant: Grant, now: number): IssuedTokens {
    const accessToken = newToken();
    const refreshToken = newToken();
    const insert = this.state.db.prepare(
      "INSERT INTO oauth_tokens (hash, grant_id, kind, expires_at) VALUES (?, ?, ?, ?)",
    );
    const accessEnds = Math.min(now + this.#lifetimes.accessMs, grant.expiresAt);
    insert.run(hashToken(accessToken), grant.id, "access", accessEnds);
    insert.run(
      hashToken(refreshToken),
      grant.id,
      "refresh",
      Math.min(now + this.#lifetimes.refreshIdleMs, grant.expiresAt),
    );
    // Expired rows are dead weight; dropping them here keeps the table small without a timer.
    this.state.db.prepare("DELETE FROM oauth_tokens WHERE expires_at <= ?").run(now);
    return { grant, accessToken, refreshToken, expiresIn: Math.round((accessEnds - now) / 1000) };
  }

  /** The grant behind a live access token, with the token's expiry (ms), or undefined. */
  findAccessToken(token: string): { grant: Grant; expiresAt: number } | undefined {
    const row = this.state.db.prepare(
      "SELECT g.*, t.expires_at AS token_expires_at FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id " +
        "WHERE t.hash = ? AND t.kind = 'access' AND t.expires_at > ? AND g.expires_at > ?",
    ).get(hashToken(token), this.#now(), this.#now()) as Row | undefined;
    return row ? { grant: grantOf(row), expiresAt: Number(row.token_expires_at) } : undefined;
  }

  /**
   * Rotates a refresh token: the presented one is spent, a new pair is
   * minted. A spent one presented again means it leaked: the grant ends.
   */
  rotateRefreshToken(token: string, clientId: string): RefreshOutcome {
    const now = this.#now();
    return this.state.transaction((): RefreshOutcome => {
      const row = this.state.db.prepare(
        "SELECT g.*, t.used AS token_used, t.expires_at AS token_expires_at, t.hash AS token_hash FROM oauth_tokens t " +
          "JOIN oauth_grants g ON g.id = t.grant_id WHERE t.hash = ? AND t.kind = 'refresh'",
      ).get(hashToken(token)) as Row | undefined;
      if (!row || row.client_id !== clientId) return { kind: "invalid" };
      const grant = grantOf(row);
      if (Number(row.token_used) !== 0) {
        this.#deleteGrant(grant.id);
        return { kind: "reused", grantId: grant.id };
      }
      if (Number(row.token_expires_at) <= now || grant.expiresAt <= now) return { kind: "invalid" };
      this.state.db.prepare("UPDATE oauth_tokens SET used = 1 WHERE hash = ?").run(row.token_hash);
      this.state.db.prepare("UPDATE oauth_grants SET last_used_at = ? WHERE id = ?").run(now, grant.id);
      return { kind: "rotated", tokens: this.#mint({ ...grant, lastUsedAt: now }, now) };
    });
  }

  /** The grant a token (access or refresh) belongs to, or undefined. */
  grantOfToken(token: string): Grant | undefined {
    const row = this.state.db.prepare(
      "SELECT g.* FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id WHERE t.hash = ?",
    ).get(hashToken(token)) as Row | undefined;
    return row ? grantOf(row) : undefined;
  }

  #deleteGrant(id: string): void {
    this.state.db.prepare("DELETE FROM oauth_tokens WHERE grant_id = ?").run(id);
    this.state.db.prepare("DELETE FROM oauth_grants WHERE id = ?").run(id);
  }
}
