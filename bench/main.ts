/**
 * `deno task bench`: the bridge's costs, each against a baseline measured in
 * the same run. Prints one table and writes bench/results.json. Section
 * names as arguments (`deno task bench -- start-up`) run only those.
 */
import { benchOverhead } from "./overhead.ts";
import { benchThroughput } from "./throughput.ts";
import { benchPreflight } from "./preflight.ts";
import { benchStartup } from "./startup.ts";
import { benchMemory } from "./memory.ts";
import { benchFastReturn } from "./fast_return.ts";
import { benchJobWait } from "./job_wait.ts";
import type { BenchRow } from "./stats.ts";

const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "bench-root-" }));
const rows: BenchRow[] = [];
try {
  for (
    const [name, run] of [
      ["overhead", () => benchOverhead(root)],
      ["throughput", () => benchThroughput(root)],
      ["preflight", () => benchPreflight()],
      ["start-up", () => benchStartup(root)],
      ["memory", () => benchMemory(root)],
      ["fast-return", () => benchFastReturn(root)],
      ["job-wait", () => benchJobWait(root)],
    ] as const
  ) {
    // `deno task bench -- start-up memory` runs only the named sections.
    if (Deno.args.length > 0 && !Deno.args.includes(name)) continue;
    console.error(`bench: ${name}…`);
    rows.push(...await run());
  }
} finally {
  await Deno.remove(root, { recursive: true });
}

const header = "| metric | value | baseline | ratio | goal | met |\n| --- | --- | --- | --- | --- | --- |";
const lines = rows.map((r) =>
  `| ${r.metric} | ${r.value} ${r.unit} | ${r.baseline ?? "—"}${r.baseline === null ? "" : ` ${r.unit}`} | ` +
  `${r.ratio ?? "—"} | ${r.goal} | ${r.pass ? "yes" : "no"} |`
);
console.log([header, ...lines].join("\n"));
await Deno.writeTextFile(
  new URL("./results.json", import.meta.url),
  JSON.stringify(
    { date: new Date().toISOString(), deno: Deno.version.deno, cores: navigator.hardwareConcurrency, rows },
    null,
    2,
  ),
);
