/**
 * Structured logging: one JSON object per line on stderr, so stdout stays
 * free for protocol traffic (the `chatgpt` stdio server) and logs can be
 * piped to `jq`. Callers must never pass prompts or tokens as fields.
 *
 * @module
 */

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Extra fields logged with a message. */
export type LogFields = Record<string, unknown>;

/** A logger writing JSON lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. @default "info" */
  level?: LogLevel;
  /** Where lines go. @default a writer to stderr */
  write?: (line: string) => void;
}

const encoder = new TextEncoder();

function serialise(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

/** Creates a logger; lines look like `{"ts":…,"level":"info","msg":…,…}`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n")));
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (ORDER[level] < min) return;
    const entries = Object.entries(fields).map(([key, value]) => [key, serialise(value)]);
    write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...Object.fromEntries(entries) }));
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ write: () => {} });
