/**
 * Installs the Codex versions the end-to-end tests need (`npm install
 * @openai/codex@VERSION` into the cache), skipping those already present.
 * Run by `deno task test` before the tests.
 */
import { CODEX_VERSIONS, codexBinary, codexCacheDir } from "./fixtures/codex_versions.ts";
import { join } from "node:path";

for (const version of CODEX_VERSIONS) {
  const binary = codexBinary(version);
  const present = await Deno.stat(binary).then(() => true, () => false);
  if (present) continue;
  const prefix = join(codexCacheDir(), "codex", version);
  await Deno.mkdir(prefix, { recursive: true });
  console.error(`installing @openai/codex@${version} into ${prefix}`);
  const { code } = await new Deno.Command("npm", {
    args: ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, `@openai/codex@${version}`],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`npm install @openai/codex@${version} failed (exit ${code})`);
    Deno.exit(1);
  }
}
