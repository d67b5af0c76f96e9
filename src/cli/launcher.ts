/**
 * The launcher stage of `serve` and `chatgpt` (and what other commands share
 * with it): fetch missing npm packages, fill secrets from the keychain, plan
 * the confined launch, then run it or print it for `./codex-gpt-bridge` to
 * `exec`. The confined stages never load this module (main.ts imports it only
 * when unconfined), so they start with fewer modules.
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { CHATGPT_OPTIONS, SERVE_OPTIONS } from "../config/options.ts";
import { readOptions, secretFlagGiven } from "../config/read_options.ts";
import type { ServeConfig } from "../config/serve_config.ts";
import { ConfigError } from "../errors.ts";
import { openKeychain } from "../keychain/keychain.ts";
import { launchSecrets } from "../keychain/launch_secrets.ts";
import { createLogger } from "../log.ts";
import { LIVE_PROBE } from "../permissions/file_probe.ts";
import type { LaunchFacts } from "../permissions/launch_facts.ts";
import { readChatgptBaseUrl } from "../permissions/launch_input.ts";
import { memoryEnv } from "../permissions/memory_flags.ts";
import {
  confinedCommandLine,
  planChatgptLaunch,
  planServeLaunch,
  relaunch,
  type ServeLaunch,
  shellExec,
} from "../permissions/relaunch.ts";
import { fetchingMessage, installPackages, missingPackages } from "../startup/dependencies.ts";

type Env = (name: string) => string | undefined;

/** What the launcher stage does with its plan: run the confined stage, or print it for the shell launcher to exec. */
export type Launch = (command: string, args: string[], launch: ServeLaunch) => Promise<number>;

/** Runs the confined stage of `entry` as a child, forwarding signals; resolves with its exit code. */
export function runConfined(entry: string): Launch {
  return (command, args, launch) => relaunch(entry, command, args, launch);
}

/**
 * For `./codex-gpt-bridge`: the check that the plan still holds (one line, empty when it
 * cannot be reused; the launcher caches the pair), then the confined command line as shell.
 * `launcherArgs` are the launcher's own arguments, which the check compares.
 */
export function printConfined(entry: string, env: Env, facts: LaunchFacts, launcherArgs: string[]): Launch {
  return async (command, args, launch) => {
    // Secrets from the keychain never go into the printed line (it passes through a pipe and a shell):
    // nothing printed, and `./codex-gpt-bridge` runs the resident launcher, which hands them to its child's env.
    if (Object.keys(launch.env ?? {}).length > 0) return 0;
    const line = shellExec(confinedCommandLine(entry, command, args, launch), memoryEnv(facts.recordEnv(env)));
    await facts.exists(Deno.execPath());
    // Cached only when the plan is one line too (a value with a line break is never one): 3 lines per plan in a file.
    const guard = /[\n\r]/.test(line)
      ? undefined
      : facts.guard(launcherArgs, Deno.cwd(), dirname(fileURLToPath(entry)));
    console.log(guard ?? "");
    console.log(line);
    return 0;
  };
}

/**
 * A first start: the npm packages of the checkout holding `entry` are fetched once, announced in one line.
 * Says whether it fetched them. `facts` records what was checked, for a launch plan to be reused.
 */
export async function ensurePackages(entry: string, facts?: LaunchFacts): Promise<boolean> {
  const projectDir = fileURLToPath(new URL(".", entry)).replace(/\/$/, "");
  if ((await missingPackages(projectDir, (path) => (facts ?? LIVE_PROBE).exists(path))).length === 0) return false;
  createLogger().info(fetchingMessage(projectDir));
  try {
    await installPackages(projectDir);
  } catch (error) {
    // One line, as for a bad option: the network or the registry is the usual cause.
    throw new ConfigError(`Could not fetch the npm packages: ${(error as Error).message}`);
  }
  return true;
}

/**
 * The environment `serve args` sees in its launcher stage: the variables, and
 * the secrets from the keychain that fill unset ones (`filled`, handed to the
 * confined child). What to look up is decided from the raw options: the
 * tunnel's key must be known before the config can be validated.
 */
export async function keychainEnv(args: string[], env: Env): Promise<{ env: Env; filled: Record<string, string> }> {
  const raw = readOptions(SERVE_OPTIONS, args, env);
  const given = (key: keyof typeof raw) => raw[key] !== undefined && raw[key]?.value !== false;
  const filled = given("noKeychain") ? {} : await launchSecrets({
    tunnelId: raw.tunnelId?.value as string | undefined,
    needsToken: !given("token") && !given("noAuth") && (raw.authMode?.value ?? "bearer") === "bearer",
    env,
    keychain: openKeychain({ path: env("PATH") }),
    warn: (line) => console.error(`codex-gpt-bridge: ${line}`),
  });
  // A variable that is set always wins; the keychain only fills gaps.
  return { env: (name: string) => env(name) ?? filled[name], filled };
}

/**
 * `serve`'s launcher stage: secrets from the keychain, the one validated parse, then stage two under its
 * narrow set. `facts` (planning for `./codex-gpt-bridge`) records what the plan depends on.
 */
export async function launchServe(args: string[], launch: Launch, env: Env, facts?: LaunchFacts): Promise<number> {
  if (secretFlagGiven(SERVE_OPTIONS, args)) facts?.uncacheable("a secret is given as a flag");
  const { env: withKeychain, filled } = await keychainEnv(args, facts ? facts.recordEnv(env) : env);
  const { parseServeConfig } = await import("../config/serve_config.ts");
  let config: ServeConfig;
  try {
    config = parseServeConfig(args, withKeychain);
  } catch (error) {
    if (!(error instanceof ConfigError) || Object.keys(filled).length === 0) throw error;
    throw new ConfigError(`${error.message}; if it came from the keychain, store a new one with \`secret set\``);
  }
  return await launch("serve", args, {
    ...await planServeLaunch(config, withKeychain, facts ?? LIVE_PROBE, facts),
    env: filled,
  });
}

/** `chatgpt`'s launcher stage: the API's host is all its permission set depends on. */
export async function launchChatgpt(args: string[], launch: Launch, env: Env, facts?: LaunchFacts): Promise<number> {
  if (secretFlagGiven(CHATGPT_OPTIONS, args)) facts?.uncacheable("a secret is given as a flag");
  const planEnv = facts ? facts.recordEnv(env) : env;
  const baseUrl = readChatgptBaseUrl(args, planEnv) ??
    (await import("../config/chatgpt_config.ts")).parseChatgptConfig(args, planEnv).baseUrl;
  return await launch("chatgpt", args, planChatgptLaunch({ baseUrl }));
}
