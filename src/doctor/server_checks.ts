/**
 * Checks of what `serve` itself needs: its port, how clients authenticate,
 * the state folder, and the Deno permissions it would run under.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { TOKEN_FILE_NAME } from "../state/token_file.ts";
import { ConfigError } from "../errors.ts";
import { planServeLaunch } from "../permissions/relaunch.ts";
import type { Check } from "./check.ts";

/** The configured address is free to listen on. */
export const checkPort: Check = ({ config }) => {
  const address = `${config.host}:${config.port}`;
  if (config.port === 0) {
    return Promise.resolve([{
      name: "port",
      status: "ok",
      detail: `a free port on ${config.host} is picked at start`,
    }]);
  }
  try {
    Deno.listen({ hostname: config.host, port: config.port }).close();
    return Promise.resolve([{ name: "port", status: "ok", detail: `${address} is free` }]);
  } catch (error) {
    const inUse = error instanceof Deno.errors.AddrInUse;
    return Promise.resolve([{
      name: "port",
      status: "fail",
      detail: inUse ? `${address} is in use` : `cannot listen on ${address} (${(error as Error).message})`,
      fix: inUse
        ? "stop what listens there (another bridge?) or pass --port N (0 picks a free one)"
        : "pass an address of this machine with --host (default 127.0.0.1)",
    }]);
  }
};

/** Where the bearer token comes from; never shows it. */
export const checkAuth: Check = ({ config, sourceOf }) => {
  if (config.auth.kind === "none") {
    return Promise.resolve([{
      name: "auth",
      status: "warn",
      detail: "no authentication (--no-auth): anything on this machine can drive Codex",
      fix: "drop --no-auth unless only you use this machine",
    }]);
  }
  if (config.auth.kind === "oauth") {
    return Promise.resolve([{
      name: "auth",
      status: "ok",
      detail: `OAuth for ${config.auth.resource}: each client approved with a consent code shown in this terminal`,
    }]);
  }
  if (config.auth.generated) {
    return Promise.resolve([{
      name: "auth",
      status: "ok",
      // Not read here: where it lives is what the owner needs (to copy it into a client's configuration).
      detail: `bearer token generated at the first start and kept in ${
        join(config.stateDir, TOKEN_FILE_NAME)
      } (owner-only, reused; --rotate-token replaces it)`,
    }]);
  }
  const source = sourceOf("token") ?? "the configuration";
  return Promise.resolve([
    source.startsWith("--")
      ? {
        name: "auth",
        status: "warn",
        detail: `bearer token from ${source}: other users can read it in the process list`,
        fix: "set CODEX_GPT_BRIDGE_TOKEN instead of passing --token",
      }
      : { name: "auth", status: "ok", detail: `bearer token from ${source}` },
  ]);
};

/** Whether this user may write `path`, asked the OS (`test -w`) rather than by writing: doctor changes nothing. */
async function writable(path: string): Promise<boolean> {
  const { code } = await new Deno.Command("sh", {
    args: ["-c", 'test -d "$1" && test -w "$1" && test -x "$1"', "sh", path],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  return code === 0;
}

/** The state folder exists and is writable, or can be created. */
export const checkStateDir: Check = async ({ config }) => {
  const dir = config.stateDir;
  const fix = "pass --state-dir DIR (or set CODEX_GPT_BRIDGE_STATE_DIR) to a folder you own";
  const info = await Deno.stat(dir).catch(() => undefined);
  if (info) {
    if (!info.isDirectory) return [{ name: "state folder", status: "fail", detail: `${dir} is not a folder`, fix }];
    return await writable(dir)
      ? [{ name: "state folder", status: "ok", detail: `${dir} is writable` }]
      : [{ name: "state folder", status: "fail", detail: `${dir} is not writable by this user`, fix }];
  }
  // Missing: serve creates it, which needs the nearest existing parent to be writable.
  let parent = dirname(dir);
  while (parent !== dirname(parent) && !(await Deno.stat(parent).catch(() => undefined))) parent = dirname(parent);
  return await writable(parent)
    ? [{ name: "state folder", status: "ok", detail: `${dir} does not exist yet; serve creates it (owner-only)` }]
    : [{ name: "state folder", status: "fail", detail: `${dir} cannot be created: ${parent} is not writable`, fix }];
};

/** The Deno permissions the serving process would get, exactly as the launcher computes them. */
export const checkPermissions: Check = async ({ config, env }) => {
  try {
    const { flags } = await planServeLaunch(config, env);
    // The variable list is long and the same for everyone: counted, not listed.
    const grants = flags.filter((flag) => flag.startsWith("--allow-")).map((flag) =>
      flag.startsWith("--allow-env=") ? `--allow-env=(${flag.split(",").length} variables)` : flag
    );
    return [{ name: "permissions", status: "ok", detail: `serve would run with ${grants.join(" ")}` }];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ name: "permissions", status: "fail", detail: error.message, fix: "fix the configuration above" }];
  }
};
