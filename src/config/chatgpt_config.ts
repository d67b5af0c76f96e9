/**
 * Configuration of `codex-gpt-bridge chatgpt`: read once from flags and
 * environment, validated, frozen. The API key is optional here — the server
 * must start (so Codex can list its tool) and the call says what is missing.
 *
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import type { LogLevel } from "../log.ts";
import { CHATGPT_OPTIONS } from "./options.ts";
import { optionNames, readOptions } from "./read_options.ts";

/** The validated, frozen `chatgpt` configuration. */
export interface ChatgptConfig {
  readonly apiKey?: string;
  /** Responses API base URL, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly logLevel: LogLevel;
}

const FIELDS = {
  apiKey: z.string().trim().min(1, "expected a key"),
  baseUrl: z.string().trim().refine((text) => {
    try {
      return ["http:", "https:"].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, "expected an http(s) URL such as https://api.openai.com/v1"),
  model: z.string().trim().min(1, "expected a model name").max(200),
  timeoutMs: z.string().trim().regex(/^\d+$/, "expected milliseconds, an integer from 1000 to 3600000")
    .transform(Number).pipe(z.number().min(1000, "expected at least 1000").max(3_600_000, "expected at most 3600000")),
  logLevel: z.enum(["debug", "info", "warn", "error"], "expected debug, info, warn or error"),
} satisfies Record<keyof typeof CHATGPT_OPTIONS, z.ZodType>;

const DEFAULTS = {
  baseUrl: "https://api.openai.com/v1",
  model: "gpt-5.5",
  timeoutMs: "180000",
  logLevel: "info",
} as const;

/** Parses and validates `chatgpt` options; throws {@linkcode ConfigError}. */
export function parseChatgptConfig(
  args: readonly string[],
  env: (name: string) => string | undefined,
): ChatgptConfig {
  const raw = readOptions(CHATGPT_OPTIONS, args, env);
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(FIELDS) as [keyof typeof FIELDS, z.ZodType][]) {
    const given = raw[key];
    const input = given?.value ?? DEFAULTS[key as keyof typeof DEFAULTS];
    // An empty OPENAI_API_KEY means "not set", as most tools treat it.
    if (input === undefined || (key === "apiKey" && input === "")) continue;
    const result = schema.safeParse(input);
    if (!result.success) {
      const where = given?.source ?? optionNames(CHATGPT_OPTIONS[key]);
      const shown = key === "apiKey" ? "(hidden)" : JSON.stringify(input);
      throw new ConfigError(`Invalid ${where}: ${shown} (${result.error.issues[0].message})`);
    }
    parsed[key] = result.data;
  }
  return Object.freeze(parsed as unknown as ChatgptConfig);
}
