/**
 * Runs checks and renders the report: one line per check (`ok`, `warn` or
 * `fail`, what was found, the fix), or one JSON document.
 *
 * @module
 */
import type { Check, CheckResult, DoctorContext } from "./check.ts";

/** Runs every check, all at once; one that throws is reported as a `fail` in its place. */
export async function runChecks(checks: readonly Check[], context: DoctorContext): Promise<CheckResult[]> {
  const outcomes = await Promise.all(checks.map(async (check) => {
    try {
      return await check(context);
    } catch (error) {
      return [{
        name: check.name || "check",
        status: "fail" as const,
        detail: `the check itself failed: ${(error as Error).message}`,
        fix: "report this, with the line above",
      }];
    }
  }));
  return outcomes.flat();
}

/** Counts by status. */
export function summarise(results: readonly CheckResult[]): Record<CheckResult["status"], number> {
  const counts = { ok: 0, warn: 0, fail: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}

/** The text report: a line per check, then the counts. */
export function formatReport(results: readonly CheckResult[]): string[] {
  const lines = results.map((result) => {
    const fix = result.fix && result.status !== "ok" ? ` (fix: ${result.fix})` : "";
    return `${result.status.padEnd(4)}  ${result.name}: ${result.detail}${fix}`;
  });
  const { ok, warn, fail } = summarise(results);
  lines.push(`${ok} ok, ${warn} warn, ${fail} fail`);
  return lines;
}

/** The exit code: 1 on any `fail`. */
export function exitCode(results: readonly CheckResult[]): number {
  return results.some((result) => result.status === "fail") ? 1 : 0;
}
