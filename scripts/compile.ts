/**
 * `deno task compile -- --root DIR [serve options]`: builds
 * `dist/codex-gpt-bridge` with the `serve` permission set baked in, computed
 * by the same builder the run path uses. Roots, Codex path, host and port
 * are fixed at compile time because the permissions are; the binary refuses
 * a root outside them at start.
 *
 * Needs `denort` (downloaded from dl.deno.land, or set DENORT_BIN to a local copy).
 */
import { fileURLToPath } from "node:url";
import { parseServeConfig } from "../src/config/serve_config.ts";
import { planServeLaunch } from "../src/permissions/relaunch.ts";
import { ConfigError } from "../src/errors.ts";

const env = (name: string) => Deno.env.get(name);
const project = fileURLToPath(new URL("../", import.meta.url));

try {
  const config = parseServeConfig(Deno.args, env);
  if (config.port === 0) {
    throw new ConfigError("The compiled binary's network grant is fixed at compile time: pass a concrete --port");
  }
  const { flags } = await planServeLaunch(config, env);
  const args = ["compile", "--output", `${project}dist/codex-gpt-bridge`, ...flags, `${project}main.ts`];
  console.error(`deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" }).output();
  if (code !== 0) {
    console.error(
      "deno compile failed. It needs the `denort` runtime from https://dl.deno.land; offline, download it " +
        "elsewhere and point DENORT_BIN at it. Meanwhile ./codex-gpt-bridge runs the same permission set through Deno.",
    );
  }
  Deno.exit(code);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`compile: ${error.message}`);
  Deno.exit(2);
}
