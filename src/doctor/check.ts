/**
 * The shape every `doctor` check shares: a small async function of the
 * context that returns one or more results. A new group of checks is a new
 * file exporting such functions, listed in `checks.ts`.
 *
 * @module
 */
import type { ServeConfig } from "../config/serve_config.ts";

/** How a check came out: `fail` means `serve` would not work as configured. */
export type CheckStatus = "ok" | "warn" | "fail";

/** One line of the report. */
export interface CheckResult {
  /** Short and stable, e.g. `codex`, `port`, `root /src/app`. */
  name: string;
  status: CheckStatus;
  /** What was found. Local paths are fine here: only the owner reads it. */
  detail: string;
  /** What to do about a `warn` or `fail`. */
  fix?: string;
}

/** What every check may look at. */
export interface DoctorContext {
  /** The `serve` configuration being checked. */
  config: ServeConfig;
  /** The environment `serve` would see. */
  env: (name: string) => string | undefined;
  /** Where a raw option came from, e.g. `--token` or `CODEX_GPT_BRIDGE_TOKEN` (undefined: not given). */
  sourceOf: (option: string) => string | undefined;
}

/** A check: never throws for what it checks (a throw is reported as a `fail` by the runner). */
export type Check = (context: DoctorContext) => Promise<CheckResult[]>;
