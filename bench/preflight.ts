/**
 * 3. The secret scan of a 100k-file tree in 10k directories, against `find`
 * stat-ing every entry of the same tree (`-printf` with inode, link count,
 * size and mtime: what the scanner needs to know of each entry):
 * a first scan (no cache), a cached re-scan of the unchanged tree, and a
 * re-scan after one `.env` appeared deep inside (which must be found).
 *
 * Each folder holds seven `.ts`, one `.md`, one `.json` and one file without
 * an extension, 200–400 bytes each: the last two kinds are sniffed, as in a
 * typical `node_modules` (about 10% `.json`, 7% without an extension).
 * @module
 */
import { join } from "node:path";
import { SecretScanner } from "../src/policy/secrets.ts";
import { type BenchRow, row, summary, timeEach } from "./stats.ts";

const DIRS = 10_000;
const NAMES = ["a.ts", "b.ts", "c.ts", "d.ts", "e.ts", "f.ts", "g.ts", "README.md", "package.json", "LICENSE"];

async function makeTree(): Promise<string> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "bench-tree-" }));
  const source = new TextEncoder().encode("export function f(x: number): number {\n  return x * 2;\n}\n".repeat(4));
  const json = new TextEncoder().encode(JSON.stringify({ name: "pkg", version: "1.0.0", main: "a.js" }, null, 2));
  const text = new TextEncoder().encode("Permission is hereby granted, free of charge, to any person.\n".repeat(4));
  for (let d = 0; d < DIRS; d++) {
    // 100 top-level directories of 100 each: a realistic fan-out.
    const dir = join(base, `d${Math.floor(d / 100)}`, `s${d % 100}`);
    Deno.mkdirSync(dir, { recursive: true });
    for (const name of NAMES) {
      Deno.writeFileSync(join(dir, name), name.endsWith(".json") ? json : name.includes(".") ? source : text);
    }
  }
  return base;
}

async function find(dir: string): Promise<void> {
  const args = [dir, "-printf", "%i %n %s %T@ %p\n"];
  const { code } = await new Deno.Command("find", { args, stdout: "null" }).output();
  if (code !== 0) throw new Error(`find failed (${code})`);
}

async function scanFresh(tree: string): Promise<void> {
  const scan = await new SecretScanner({ timeBudgetMs: 60_000 }).scan(tree);
  if (scan.status !== "complete" || scan.hidden.length !== 0) {
    throw new Error(`Unexpected scan ${JSON.stringify(scan)}`);
  }
}

export async function benchPreflight(): Promise<BenchRow[]> {
  const tree = await makeTree();
  try {
    await scanFresh(tree); // warm the page cache for both
    await find(tree);
    const first = summary(await timeEach(7, () => scanFresh(tree)));
    const findStat = summary(await timeEach(7, () => find(tree)));
    // Folder mtimes are now seconds old: the cache trusts them.
    const scanner = new SecretScanner({ timeBudgetMs: 60_000 });
    await scanner.scan(tree);
    const cached = summary(await timeEach(7, () => scanner.scan(tree)));
    // Half-way through the walk, not at its first or last step.
    const secret = join(tree, "d50", "s50", ".env");
    await Deno.writeTextFile(secret, "SECRET=1");
    let found = true;
    const changed = summary(
      await timeEach(7, async () => {
        const scan = await scanner.scan(tree);
        found &&= scan.status === "complete" && scan.hidden.length === 1 && scan.hidden[0] === secret;
      }),
    );
    return [
      row(
        "secret scan, first scan of 100k files vs find -printf (stat)",
        first.p50,
        findStat.p50,
        "ms",
        "≤ 3× find",
        first.p50 <= 3 * findStat.p50,
      ),
      row(
        "secret scan, cached re-scan vs first scan",
        cached.p50,
        first.p50,
        "ms",
        "≤ 0.2× first scan",
        cached.p50 <= 0.2 * first.p50,
      ),
      row(
        "secret scan, re-scan after one new .env deep inside vs first scan",
        changed.p50,
        first.p50,
        "ms",
        "≤ 0.2× first scan, .env found",
        found && changed.p50 <= 0.2 * first.p50,
      ),
    ];
  } finally {
    await Deno.remove(tree, { recursive: true });
  }
}
