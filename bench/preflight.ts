/**
 * 3. Preflight scan of a 100k-file tree in 10k directories vs `find` for the
 * same names: clean (full walk) and with one `.env` deep inside (early exit).
 * @module
 */
import { join } from "node:path";
import { scanSensitiveFiles, SENSITIVE_GLOBS } from "../src/policy/sensitive_files.ts";
import { type BenchRow, row, summary, timeEach } from "./stats.ts";

const DIRS = 10_000;
const FILES_PER_DIR = 10;

async function makeTree(): Promise<string> {
  const base = await Deno.makeTempDir({ prefix: "bench-tree-" });
  for (let d = 0; d < DIRS; d++) {
    // 100 top-level directories of 100 each: a realistic fan-out.
    const dir = join(base, `d${Math.floor(d / 100)}`, `s${d % 100}`);
    Deno.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) Deno.writeFileSync(join(dir, `file${f}.ts`), new Uint8Array());
  }
  return base;
}

async function find(dir: string): Promise<void> {
  const names = SENSITIVE_GLOBS.flatMap((p, i) => (i === 0 ? ["-iname", p] : ["-o", "-iname", p]));
  const args = [
    dir,
    "(",
    "-name",
    ".git",
    "-o",
    "-name",
    "node_modules",
    "-o",
    "-name",
    "dist",
    ")",
    "-prune",
    "-o",
    "(",
    ...names,
    ")",
    "-print",
  ];
  const { code } = await new Deno.Command("find", { args, stdout: "null" }).output();
  if (code !== 0) throw new Error(`find failed (${code})`);
}

export async function benchPreflight(): Promise<BenchRow[]> {
  const tree = await makeTree();
  try {
    await scanSensitiveFiles(tree); // warm the page cache for both
    const scanClean = summary(await timeEach(7, () => scanSensitiveFiles(tree)));
    const findClean = summary(await timeEach(7, () => find(tree)));
    // Half-way through the walk, not at its first or last step.
    await Deno.writeTextFile(join(tree, "d50", "s50", ".env"), "SECRET=1");
    const scanHit = summary(await timeEach(7, () => scanSensitiveFiles(tree)));
    const findHit = summary(await timeEach(7, () => find(tree)));
    return [
      row(
        "preflight scan, 100k files clean vs find",
        scanClean.p50,
        findClean.p50,
        "ms",
        "≤ 1.2× find",
        scanClean.p50 <= 1.2 * findClean.p50,
      ),
      row(
        "preflight scan, one .env deep inside vs find",
        scanHit.p50,
        findHit.p50,
        "ms",
        "≪ find (early exit)",
        scanHit.p50 < findHit.p50 / 2,
      ),
    ];
  } finally {
    await Deno.remove(tree, { recursive: true });
  }
}
