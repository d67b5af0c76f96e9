/**
 * `codex-gpt-bridge doctor [serve options] [--json]`: checks what `serve`
 * with the same options would need, one line per check with the fix, and
 * exits 1 on any `fail`. Changes nothing: it writes no file and leaves no
 * process running.
 *
 * @module
 */
import { DOCTOR_OPTIONS, SERVE_OPTIONS } from "../config/options.ts";
import { readOptions } from "../config/read_options.ts";
import { parseServeConfig } from "../config/serve_config.ts";
import { ConfigError } from "../errors.ts";
import { DOCTOR_CHECKS } from "../doctor/checks.ts";
import type { CheckResult } from "../doctor/check.ts";
import { exitCode, formatReport, runChecks, summarise } from "../doctor/report.ts";

const DOCTOR_FLAGS = new Set(Object.values(DOCTOR_OPTIONS).map((spec) => `--${spec.flag}`));

/** The `serve` options among doctor's arguments. */
export function serveArgsOf(args: readonly string[]): string[] {
  return args.filter((arg) => !DOCTOR_FLAGS.has(arg));
}

/** Runs the checks for `args` and prints the report; resolves with the exit code. */
export async function runDoctor(
  args: readonly string[],
  env: (name: string) => string | undefined,
  print: (line: string) => void,
): Promise<number> {
  const json = args.includes("--json");
  const serveArgs = serveArgsOf(args);
  let results: CheckResult[];
  try {
    const config = parseServeConfig(serveArgs, env);
    const raw = readOptions(SERVE_OPTIONS, serveArgs, env) as Record<string, { source: string } | undefined>;
    results = await runChecks(DOCTOR_CHECKS, { config, env, sourceOf: (option) => raw[option]?.source });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results = [{
      name: "configuration",
      status: "fail",
      detail: error.message,
      fix: "correct that option (see --help)",
    }];
  }
  if (json) print(JSON.stringify({ checks: results, summary: summarise(results) }, null, 2));
  else for (const line of formatReport(results)) print(line);
  return exitCode(results);
}
