/**
 * Configuration of `codex-gpt-bridge serve`: read once from flags and
 * environment, validated, frozen. A pure function of its inputs (the random
 * token aside), so tests call it with plain objects.
 *
 * @module
 */
import { EFFORT_ORDER } from "../policy/models.ts";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { CODEX_CHILD_ENV, SERVE_OPTIONS, SERVE_SECRET_ENV } from "./options.ts";
import { TUNNEL_ID_PATTERN } from "../tunnel/protocol.ts";
import { optionNames, readOptions } from "./read_options.ts";
import type { ApprovalPolicy } from "../upstream/types.ts";
import { validateSecretPattern } from "../policy/secrets.ts";
import type { LogLevel } from "../log.ts";
import { defaultStateDir } from "../state/state_dir.ts";
import { isAbsolute, resolve } from "node:path";

/** How clients authenticate. */
export type AuthMode =
  | { kind: "token"; token: string; /** Generated at start (print it once). */ generated: boolean }
  | {
    kind: "oauth";
    /** The public URL's origin, e.g. `https://abc.ngrok.app`. */
    issuer: string;
    /** `<issuer>/mcp`: the resource every token is bound to. */
    resource: string;
    /** Other resource URLs accepted on authorize/token (a tunnel that rewrites the URL). */
    extraResources: readonly string[];
    /** Redirect URI patterns clients may register (`*` = one run of `[A-Za-z0-9._~-]`). */
    redirectPatterns: readonly string[];
  }
  | { kind: "none" };

/** OpenAI's Secure MCP Tunnel, when `--tunnel-id` is given. */
export interface TunnelConfig {
  readonly id: string;
  /** Control plane origin, e.g. `https://api.openai.com`. */
  readonly controlPlaneUrl: string;
  /** The tunnel's runtime API key (from `CONTROL_PLANE_API_KEY`); never printed or logged. */
  readonly apiKey: string;
}

/** ChatGPT's two redirect URI forms, always allowed in OAuth mode. */
export const CHATGPT_REDIRECT_PATTERNS: readonly string[] = [
  "https://chatgpt.com/connector_platform_oauth_redirect",
  "https://chatgpt.com/connector/oauth/*",
];

/** Which Codex protocol to use. */
export type UpstreamChoice = "auto" | "app-server" | "mcp-server";

/** The validated, frozen `serve` configuration. */
export interface ServeConfig {
  /** Roots as given (resolved with realpath at start, by the policy layer). */
  readonly roots: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly auth: AuthMode;
  /** The public URL's origin (`--public-url`), when given. */
  readonly publicUrl?: string;
  /** Extra Host names accepted besides the loopback names. */
  readonly allowedHosts: readonly string[];
  readonly allowWrite: boolean;
  readonly approvalPolicy: ApprovalPolicy;
  readonly fastReturnMs: number;
  readonly timeoutMs: number;
  readonly maxJobs: number;
  readonly secretScan: boolean;
  /** The owner's globs of more files to hide. */
  readonly secretPatterns: readonly string[];
  /** Folders outside the roots Codex may read (resolved and checked at start, by the policy layer). */
  readonly codexReadPaths: readonly string[];
  readonly allowUnconfinedCodex: boolean;
  readonly codexPath: string;
  readonly upstream: UpstreamChoice;
  readonly logLevel: LogLevel;
  /** Absolute path of the state folder (created by the launcher). */
  readonly stateDir: string;
  /** Whether the launcher may fill secrets from the OS keychain. */
  readonly keychain: boolean;
  /** Models a call may choose; empty: any Codex offers. */
  readonly models: readonly string[];
  /** Highest reasoning effort a call may choose; undefined: any. */
  readonly maxReasoningEffort?: string;
  /** Whether the audit trail records prompts (`--audit-prompts`). */
  readonly auditPrompts: boolean;
  /** Environment handed to the Codex child (an allow-list of the bridge's). */
  readonly codexEnv: Readonly<Record<string, string>>;
  /** The Secure MCP Tunnel to poll, beside the HTTP listener. */
  readonly tunnel?: TunnelConfig;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Whether an address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, `expected an integer from ${min} to ${max}`).transform(Number)
    .pipe(z.number().min(min, `expected an integer from ${min} to ${max}`).max(max, `expected at most ${max}`));

const hostname = z.string().trim().toLowerCase().regex(
  /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?)$/,
  "expected a host name without scheme or port, e.g. abc.ngrok.app",
);

/** Whether `url` is https, or http on a loopback host (tests, local clients). */
function secureOrLoopback(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}

function urlProblem(text: string, what: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected an absolute ${what}, e.g. https://abc.ngrok.app`;
  }
  if (!secureOrLoopback(url)) return "expected https (http only for a loopback host)";
  if (url.username || url.password) return "must not contain a user name or password";
  if (url.hash || text.includes("#")) return "must not contain a fragment";
  return undefined;
}

const publicUrl = z.string().trim().superRefine((text, ctx) => {
  const problem = urlProblem(text, "URL") ??
    (new URL(text).search ? "must not contain a query" : undefined) ??
    (["/", "/mcp", "/mcp/"].includes(new URL(text).pathname)
      ? undefined
      : "expected the origin only, e.g. https://abc.ngrok.app");
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}).transform((text) => new URL(text).origin);

const redirectPattern = z.string().trim().superRefine((text, ctx) => {
  // A "*" stands for one run of unreserved characters; check the rest as a URL.
  const problem = urlProblem(text.replaceAll("*", "1"), "URL pattern") ??
    (/\*\*/.test(text) ? "use a single * per wildcard" : undefined);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const resourceUrl = z.string().trim().superRefine((text, ctx) => {
  const problem = urlProblem(text, "URL");
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}).transform((text) => new URL(text).href);

const FIELDS = {
  roots: z.array(z.string().min(1, "expected a directory").refine((s) => !s.includes("\0"), "contains a NUL byte")),
  host: z.string().trim().min(1, "expected an address such as 127.0.0.1"),
  port: integer(0, 65535),
  token: z.string().min(16, "expected at least 16 characters").refine((s) => !/\s/.test(s), "contains whitespace"),
  noAuth: z.boolean(),
  authMode: z.enum(["bearer", "oauth", "none"], "expected bearer, oauth or none"),
  publicUrl,
  oauthRedirects: z.array(redirectPattern),
  oauthExtraResources: z.array(resourceUrl),
  allowedHosts: z.array(hostname),
  allowWrite: z.boolean(),
  approvalPolicy: z.enum(["never", "on-request"], "expected never or on-request"),
  fastReturnMs: integer(0, 3_600_000),
  timeoutMs: integer(1000, 86_400_000),
  maxJobs: integer(1, 1000),
  disableSecretScan: z.boolean(),
  secretPatterns: z.array(
    z.string().superRefine((glob, ctx) => {
      const problem = validateSecretPattern(glob);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  ),
  codexReadPaths: z.array(
    z.string().min(1, "expected a directory").refine((s) => !s.includes("\0"), "contains a NUL byte"),
  ),
  allowUnconfinedCodex: z.boolean(),
  codex: z.string().trim().min(1, "expected a path or command name"),
  upstream: z.enum(["auto", "app-server", "mcp-server"], "expected auto, app-server or mcp-server"),
  stateDir: z.string().trim().min(1, "expected a directory").refine((s) => !s.includes("\0"), "contains a NUL byte"),
  noKeychain: z.boolean(),
  // `--models a,b` as well as repeated flags.
  models: z.preprocess(
    (list) => Array.isArray(list) ? list.flatMap((item) => String(item).split(",")).map((item) => item.trim()) : list,
    z.array(z.string().min(1, "expected a model name").max(200).regex(/^[\w.:/-]+$/, "expected a model name")),
  ),
  maxReasoningEffort: z.enum(EFFORT_ORDER, `expected one of ${EFFORT_ORDER.join(", ")}`),
  auditPrompts: z.boolean(),
  logLevel: z.enum(["debug", "info", "warn", "error"], "expected debug, info, warn or error"),
  tunnelId: z.string().trim().regex(TUNNEL_ID_PATTERN, "expected tunnel_ and 32 lowercase letters or digits"),
  controlPlaneUrl: z.string().trim().superRefine((text, ctx) => {
    const problem = controlPlaneProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }).transform((text) => new URL(text).origin),
} satisfies Record<keyof typeof SERVE_OPTIONS, z.ZodType>;

const DEFAULTS = {
  host: "127.0.0.1",
  port: "8765",
  noAuth: false,
  oauthRedirects: [],
  oauthExtraResources: [],
  allowedHosts: [],
  allowWrite: false,
  approvalPolicy: "never",
  fastReturnMs: "25000",
  timeoutMs: "1800000",
  maxJobs: "4",
  disableSecretScan: false,
  secretPatterns: [],
  codexReadPaths: [],
  allowUnconfinedCodex: false,
  codex: "codex",
  upstream: "auto",
  noKeychain: false,
  models: [],
  auditPrompts: false,
  logLevel: "info",
  controlPlaneUrl: "https://api.openai.com",
} as const;

/** Why `text` cannot be the control plane URL, or undefined: an https origin, or http on a loopback address. */
function controlPlaneProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "expected a URL such as https://api.openai.com";
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    return "expected an origin only (scheme, host, port), such as https://api.openai.com";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return undefined;
  return "expected https (http only for a loopback address such as 127.0.0.1)";
}

type Parsed = { [K in keyof typeof FIELDS]: z.output<(typeof FIELDS)[K]> };

/** Makes a 256-bit random token, URL-safe. */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Parses and validates `serve` options. Throws {@linkcode ConfigError} with
 * one line naming the flag/variable, the value and what is accepted.
 */
export function parseServeConfig(
  args: readonly string[],
  env: (name: string) => string | undefined,
): ServeConfig {
  const raw = readOptions(SERVE_OPTIONS, args, env);
  const parsed: Partial<Record<string, unknown>> = {};
  for (const [key, schema] of Object.entries(FIELDS) as [keyof typeof FIELDS, z.ZodType][]) {
    const given = raw[key];
    const input = given?.value ?? DEFAULTS[key as keyof typeof DEFAULTS];
    if (input === undefined) continue;
    const result = schema.safeParse(input);
    if (!result.success) {
      const where = given?.source ?? optionNames(SERVE_OPTIONS[key]);
      const issue = result.error.issues[0];
      // For lists, quote the one bad item rather than the whole list.
      const bad = Array.isArray(input) && typeof issue.path[0] === "number" ? input[issue.path[0]] : input;
      const shown = key === "token" ? "(hidden)" : JSON.stringify(bad);
      throw new ConfigError(`Invalid ${where}: ${shown} (${issue.message})`);
    }
    parsed[key] = result.data;
  }
  const p = parsed as
    & Partial<Parsed>
    & Omit<Parsed, "roots" | "token" | "stateDir" | "tunnelId" | "authMode" | "publicUrl" | "maxReasoningEffort">;
  if (!p.roots || p.roots.length === 0) {
    throw new ConfigError(
      `No root given: pass --root DIR (repeatable) or set CODEX_GPT_BRIDGE_ROOTS; Codex may only work inside a root`,
    );
  }
  const auth = chooseAuth(p);
  if (auth.kind === "none" && !isLoopbackHost(p.host)) {
    throw new ConfigError(
      `Refusing --no-auth on the non-loopback address "${p.host}": anyone who can reach it could drive Codex; use a token`,
    );
  }
  const allowedHosts = p.publicUrl ? [...p.allowedHosts, new URL(p.publicUrl).hostname] : p.allowedHosts;
  if (p.fastReturnMs > p.timeoutMs) {
    throw new ConfigError(
      `Invalid --fast-return-ms: ${p.fastReturnMs} is longer than --timeout-ms ${p.timeoutMs}`,
    );
  }
  const stateDir = p.stateDir ?? defaultStateDir(env);
  if (!stateDir) {
    throw new ConfigError("No state folder: HOME is not set; pass --state-dir DIR or set CODEX_GPT_BRIDGE_STATE_DIR");
  }
  const tunnel = p.tunnelId ? tunnelConfig(p.tunnelId, p.controlPlaneUrl, env) : undefined;
  const codexEnv = Object.fromEntries(
    CODEX_CHILD_ENV.flatMap((name) => {
      const value = env(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  return Object.freeze({
    roots: Object.freeze([...p.roots]),
    host: p.host,
    port: p.port,
    auth: Object.freeze(auth),
    publicUrl: p.publicUrl,
    allowedHosts: Object.freeze([...new Set(allowedHosts)]),
    allowWrite: p.allowWrite,
    approvalPolicy: p.approvalPolicy,
    fastReturnMs: p.fastReturnMs,
    timeoutMs: p.timeoutMs,
    maxJobs: p.maxJobs,
    secretScan: !p.disableSecretScan,
    secretPatterns: Object.freeze([...p.secretPatterns]),
    codexReadPaths: Object.freeze([...p.codexReadPaths]),
    allowUnconfinedCodex: p.allowUnconfinedCodex,
    codexPath: p.codex,
    upstream: p.upstream,
    logLevel: p.logLevel,
    stateDir: isAbsolute(stateDir) ? stateDir : resolve(stateDir),
    keychain: !p.noKeychain,
    models: Object.freeze([...new Set(p.models)]),
    ...(p.maxReasoningEffort === undefined ? {} : { maxReasoningEffort: p.maxReasoningEffort }),
    auditPrompts: p.auditPrompts,
    codexEnv: Object.freeze(codexEnv),
    ...(tunnel ? { tunnel: Object.freeze(tunnel) } : {}),
  });
}

function tunnelConfig(id: string, controlPlaneUrl: string, env: (name: string) => string | undefined): TunnelConfig {
  const [keyVariable] = SERVE_SECRET_ENV;
  const apiKey = env(keyVariable)?.trim();
  if (!apiKey) {
    throw new ConfigError(
      `--tunnel-id is set but ${keyVariable} is not: set it to the tunnel's runtime API key ` +
        `(or store it with: codex-gpt-bridge secret set codex-gpt-bridge:control-plane-api-key)`,
    );
  }
  if (/\s/.test(apiKey)) throw new ConfigError(`Invalid ${keyVariable}: (hidden) (contains whitespace)`);
  return { id, controlPlaneUrl, apiKey };
}

/** Works out the auth mode from --auth, --no-auth, --token and --public-url, refusing contradictions. */
function chooseAuth(p: Partial<Parsed>): AuthMode {
  if (p.noAuth && p.token) throw new ConfigError("Both --no-auth and --token given: choose one");
  const mode = p.authMode ?? (p.noAuth ? "none" : "bearer");
  if (p.noAuth && mode !== "none") throw new ConfigError(`Both --no-auth and --auth ${mode} given: choose one`);
  if (p.token && mode !== "bearer") {
    throw new ConfigError(`Both --token and --auth ${mode} given: --token is for --auth bearer only`);
  }
  if (mode === "none") return { kind: "none" };
  if (mode === "bearer") {
    return p.token
      ? { kind: "token", token: p.token, generated: false }
      : { kind: "token", token: generateToken(), generated: true };
  }
  if (!p.publicUrl) {
    throw new ConfigError(
      "--auth oauth needs --public-url (or CODEX_GPT_BRIDGE_PUBLIC_URL): the https URL clients reach the bridge at",
    );
  }
  return {
    kind: "oauth",
    issuer: p.publicUrl,
    resource: `${p.publicUrl}/mcp`,
    extraResources: Object.freeze([...new Set(p.oauthExtraResources ?? [])]),
    redirectPatterns: Object.freeze([...new Set([...CHATGPT_REDIRECT_PATTERNS, ...(p.oauthRedirects ?? [])])]),
  };
}
