/**
 * Reads raw option values from the command line and the environment, with
 * flags winning over variables. Validation of the values is the caller's
 * (zod, in the per-command config modules).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { delimiter } from "node:path";
import { ConfigError } from "../errors.ts";
import { type OptionSpec, type OptionTable, secretOptions } from "./options.ts";

/** A raw value and where it came from, for error messages. */
export interface RawOption<V> {
  value: V;
  /** `--port` or `CODEX_GPT_BRIDGE_PORT`. */
  source: string;
}

/** Raw values of a table: strings, booleans or string lists. */
export type RawOptions<T extends OptionTable> = {
  [K in keyof T]?: RawOption<
    T[K]["type"] extends "boolean" ? boolean : T[K]["type"] extends "list" ? string[] : string
  >;
};

/** Names of an option for messages: `--port / CODEX_GPT_BRIDGE_PORT`. */
export function optionNames(spec: OptionSpec): string {
  return [`--${spec.flag}`, ...spec.env].join(" / ");
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

function envBoolean(name: string, text: string): boolean {
  const normal = text.trim().toLowerCase();
  if (TRUE.has(normal)) return true;
  if (FALSE.has(normal)) return false;
  throw new ConfigError(`Invalid ${name}: "${text}" (expected 1 or 0, true or false)`);
}

function envList(text: string, commaOnly = false): string[] {
  // Windows paths contain ":", so only split on the platform's delimiter and ","; URLs contain both, so only ",".
  const separators = commaOnly ? "," : `[,${delimiter === ";" ? ";" : ":"}]`;
  return text.split(new RegExp(separators)).map((s) => s.trim()).filter(Boolean);
}

/**
 * Parses `args` (after the subcommand) against `table`, then fills the
 * gaps from `env`. Unknown flags and stray arguments are errors.
 */
export function readOptions<T extends OptionTable>(
  table: T,
  args: readonly string[],
  env: (name: string) => string | undefined,
): RawOptions<T> {
  const parseOptions = Object.fromEntries(
    Object.values(table).map((spec) => [spec.flag, {
      type: spec.type === "boolean" ? "boolean" as const : "string" as const,
      multiple: spec.type === "list",
    }]),
  );
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    // `deno task start -- --root .` passes the "--" through; it separates nothing here.
    const given = args[0] === "--" ? args.slice(1) : [...args];
    ({ values } = parseArgs({ args: given, options: parseOptions, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replace(/\. To specify.*$/s, "")}; see --help`);
  }
  const raw: Record<string, RawOption<unknown>> = {};
  for (const [key, spec] of Object.entries(table)) {
    const flagValue = values[spec.flag];
    if (flagValue !== undefined) {
      raw[key] = { value: flagValue, source: `--${spec.flag}` };
      continue;
    }
    if (spec.type === "list") {
      // Every list variable contributes (e.g. ..._ROOTS and ..._ROOT together).
      const items = spec.env.flatMap((name) => envList(env(name) ?? "", spec.commaList === true));
      if (items.length > 0) raw[key] = { value: items, source: spec.env.join(" / ") };
      continue;
    }
    const name = spec.env.find((candidate) => env(candidate) !== undefined);
    if (name === undefined) continue;
    const text = env(name)!;
    raw[key] = { value: spec.type === "boolean" ? envBoolean(name, text) : text, source: name };
  }
  return raw as RawOptions<T>;
}

/** `--help` lines for a table. */
export function optionHelp(table: OptionTable): string {
  return Object.values(table).map((spec) => {
    const flag = `--${spec.flag}${spec.value ? ` ${spec.value}` : ""}`;
    const variables = spec.env.length > 0 ? `\n      env: ${spec.env.join(", ")}` : "";
    const fallback = spec.default ? ` (default: ${spec.default})` : "";
    return `  ${flag}\n      ${spec.description}${fallback}${variables}`;
  }).join("\n");
}

/** Whether `args` give one of `table`'s secret options as a flag (which then must not be written down). */
export function secretFlagGiven(table: OptionTable, args: readonly string[]): boolean {
  const raw = readOptions(table, args, () => undefined) as Record<string, unknown>;
  const secrets = new Set(secretOptions(table));
  return Object.entries(table).some(([key, spec]) => secrets.has(spec) && raw[key] !== undefined);
}
