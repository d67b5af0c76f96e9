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
import { CODEX_CHILD_ENV, SERVE_OPTIONS } from "./options.ts";
import { optionNames, readOptions } from "./read_options.ts";
import type { ApprovalPolicy } from "../upstream/types.ts";
import { validateSecretPattern } from "../policy/secrets.ts";
import type { LogLevel } from "../log.ts";
import { defaultStateDir } from "../state/state_dir.ts";
import { isAbsolute, resolve } from "node:path";

/** How clients authenticate. */
export type AuthMode =
  | { kind: "token"; token: string; /** Generated at start (print it once). */ generated: boolean }
  | { kind: "none" };

/** Which Codex protocol to use. */
export type UpstreamChoice = "auto" | "app-server" | "mcp-server";

/** The validated, frozen `serve` configuration. */
export interface ServeConfig {
  /** Roots as given (resolved with realpath at start, by the policy layer). */
  readonly roots: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly auth: AuthMode;
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
  /** Models a call may choose; empty: any Codex offers. */
  readonly models: readonly string[];
  /** Highest reasoning effort a call may choose; undefined: any. */
  readonly maxReasoningEffort?: string;
  /** Whether the audit trail records prompts (`--audit-prompts`). */
  readonly auditPrompts: boolean;
  /** Environment handed to the Codex child (an allow-list of the bridge's). */
  readonly codexEnv: Readonly<Record<string, string>>;
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

const FIELDS = {
  roots: z.array(z.string().min(1, "expected a directory").refine((s) => !s.includes("\0"), "contains a NUL byte")),
  host: z.string().trim().min(1, "expected an address such as 127.0.0.1"),
  port: integer(0, 65535),
  token: z.string().min(16, "expected at least 16 characters").refine((s) => !/\s/.test(s), "contains whitespace"),
  noAuth: z.boolean(),
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
  // `--models a,b` as well as repeated flags.
  models: z.preprocess(
    (list) => Array.isArray(list) ? list.flatMap((item) => String(item).split(",")).map((item) => item.trim()) : list,
    z.array(z.string().min(1, "expected a model name").max(200).regex(/^[\w.:/-]+$/, "expected a model name")),
  ),
  maxReasoningEffort: z.enum(EFFORT_ORDER, `expected one of ${EFFORT_ORDER.join(", ")}`),
  auditPrompts: z.boolean(),
  logLevel: z.enum(["debug", "info", "warn", "error"], "expected debug, info, warn or error"),
} satisfies Record<keyof typeof SERVE_OPTIONS, z.ZodType>;

const DEFAULTS = {
  host: "127.0.0.1",
  port: "8765",
  noAuth: false,
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
  models: [],
  auditPrompts: false,
  logLevel: "info",
} as const;

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
  const p = parsed as Partial<Parsed> & Omit<Parsed, "roots" | "token" | "stateDir" | "maxReasoningEffort">;
  if (!p.roots || p.roots.length === 0) {
    throw new ConfigError(
      `No root given: pass --root DIR (repeatable) or set CODEX_GPT_BRIDGE_ROOTS; Codex may only work inside a root`,
    );
  }
  if (p.noAuth && p.token) throw new ConfigError("Both --no-auth and --token given: choose one");
  if (p.noAuth && !isLoopbackHost(p.host)) {
    throw new ConfigError(
      `Refusing --no-auth on the non-loopback address "${p.host}": anyone who can reach it could drive Codex; use a token`,
    );
  }
  const auth: AuthMode = p.noAuth
    ? { kind: "none" }
    : p.token
    ? { kind: "token", token: p.token, generated: false }
    : { kind: "token", token: generateToken(), generated: true };
  if (p.fastReturnMs > p.timeoutMs) {
    throw new ConfigError(
      `Invalid --fast-return-ms: ${p.fastReturnMs} is longer than --timeout-ms ${p.timeoutMs}`,
    );
  }
  const stateDir = p.stateDir ?? defaultStateDir(env);
  if (!stateDir) {
    throw new ConfigError("No state folder: HOME is not set; pass --state-dir DIR or set CODEX_GPT_BRIDGE_STATE_DIR");
  }
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
    allowedHosts: Object.freeze([...new Set(p.allowedHosts)]),
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
    models: Object.freeze([...new Set(p.models)]),
    ...(p.maxReasoningEffort === undefined ? {} : { maxReasoningEffort: p.maxReasoningEffort }),
    auditPrompts: p.auditPrompts,
    codexEnv: Object.freeze(codexEnv),
  });
}
