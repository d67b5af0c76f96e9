/**
 * Installs what the tests need and the program does not, skipping what is
 * present: the runtime npm packages into `node_modules` (`deno install`,
 * as a first start would), the test-only npm packages into Deno's global
 * cache (tests/fixtures/test_packages.ts), and the Codex versions the
 * end-to-end tests run (`npm install @openai/codex@VERSION` into the cache).
 * Run by `deno task test` before the tests.
 */
import { CODEX_VERSIONS, codexBinary, codexCacheDir } from "./fixtures/codex_versions.ts";
import { TEST_PACKAGE_FLAGS, TEST_PACKAGES } from "./fixtures/test_packages.ts";
import { PROJECT_DIR } from "./fixtures/bridge_process.ts";
import { join } from "node:path";

async function run(what: string, command: string, args: string[]): Promise<void> {
  const { code } = await new Deno.Command(command, { args, cwd: PROJECT_DIR, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) {
    console.error(`${what} failed (exit ${code})`);
    Deno.exit(1);
  }
}

await run("deno install", Deno.execPath(), ["install", "--quiet", "--frozen"]);
await run("fetching the test-only npm packages", Deno.execPath(), [
  "cache",
  "--quiet",
  ...TEST_PACKAGE_FLAGS,
  ...TEST_PACKAGES,
]);

for (const version of CODEX_VERSIONS) {
  const binary = codexBinary(version);
  const present = await Deno.stat(binary).then(() => true, () => false);
  if (present) continue;
  const prefix = join(codexCacheDir(), "codex", version);
  await Deno.mkdir(prefix, { recursive: true });
  console.error(`installing @openai/codex@${version} into ${prefix}`);
  await run(`npm install @openai/codex@${version}`, "npm", [
    "install",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefix",
    prefix,
    `@openai/codex@${version}`,
  ]);
}
