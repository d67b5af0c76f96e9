/**
 * Checks of the folders Codex would work in: each root exists and is a
 * folder, how many of its files the secret scan would hide, and the extra
 * read paths.
 *
 * @module
 */
import { SecretScanner } from "../policy/secrets.ts";
import type { Check, CheckResult } from "./check.ts";

/** The folder's realpath, or why it cannot be used. */
async function folder(path: string): Promise<{ real: string } | { problem: string }> {
  try {
    const real = await Deno.realPath(path);
    const info = await Deno.stat(real);
    return info.isDirectory ? { real } : { problem: "is not a folder" };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { problem: "does not exist" };
    return { problem: `cannot be read (${(error as Error).message})` };
  }
}

/** Every root exists, and what the secret scan would hide in it. */
export const checkRoots: Check = async ({ config }) => {
  const scanner = new SecretScanner({ patterns: config.secretPatterns });
  const results: CheckResult[] = [];
  for (const root of config.roots) {
    const found = await folder(root);
    if ("problem" in found) {
      results.push({
        name: `root ${root}`,
        status: "fail",
        detail: found.problem,
        fix: "create the folder or pass the right --root DIR",
      });
      continue;
    }
    const where = found.real === root ? root : `${root} (${found.real})`;
    results.push({ name: `root ${root}`, status: "ok", detail: `${where} is a folder` });
    if (!config.secretScan) {
      results.push({
        name: `secrets ${root}`,
        status: "warn",
        detail: "secret scan off (--disable-secret-scan): Codex may read every file in the root",
        fix: "start without --disable-secret-scan",
      });
      continue;
    }
    const scan = await scanner.scan(found.real);
    results.push(
      scan.status === "complete"
        ? {
          name: `secrets ${root}`,
          status: "ok",
          detail: `${scan.hidden.length} of ${scan.entries} entries would be hidden from Codex`,
        }
        : {
          name: `secrets ${root}`,
          status: "fail",
          detail: `the secret scan cannot finish (${scan.reason}): every Codex call in this root would be refused`,
          fix: "choose a smaller root, or start with --disable-secret-scan (secrets become readable)",
        },
    );
  }
  return results;
};

/** Every `--codex-read-path` exists. */
export const checkReadPaths: Check = async ({ config }) => {
  const results: CheckResult[] = [];
  for (const path of config.codexReadPaths) {
    const found = await folder(path);
    results.push(
      "problem" in found
        ? { name: `read path ${path}`, status: "fail", detail: found.problem, fix: "fix or drop --codex-read-path" }
        : { name: `read path ${path}`, status: "ok", detail: `${found.real} is a folder Codex may read` },
    );
  }
  return results;
};
