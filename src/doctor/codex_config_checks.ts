/**
 * Checks of the user's Codex configuration (`$CODEX_HOME/config.toml`): it
 * parses (Codex refuses to start otherwise, so every bridge turn would fail),
 * and the `chatgpt` server `setup codex` registers starts and keeps the API
 * key out of the file. Codex starts a registered `required` server for every
 * session, the bridge's turns included: a broken one fails them all.
 *
 * @module
 */
import { join } from "node:path";
import { resolveExecutable } from "../permissions/file_probe.ts";
import type { Check, CheckResult } from "./check.ts";

const SETUP = "run `codex-gpt-bridge setup codex`";

/** The `chatgpt` server's registration in Codex's config, if any. */
export const checkCodexConfig: Check = async ({ env }) => {
  const codexHome = env("CODEX_HOME") ?? (env("HOME") ? join(env("HOME")!, ".codex") : undefined);
  if (!codexHome) return [];
  const file = join(codexHome, "config.toml");
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return [{
      name: "ask_chatgpt",
      status: "warn",
      detail: `${file} does not exist: Codex has no ask_chatgpt`,
      fix: SETUP,
    }];
  }
  // Loaded only here: serve never loads the TOML library.
  const { parse, TomlError } = await import("smol-toml");
  let config: { mcp_servers?: Record<string, Record<string, unknown>> };
  try {
    config = parse(text) as typeof config;
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}` : "";
    return [{
      name: "codex config",
      status: "fail",
      detail: `${file} does not parse${where}: Codex refuses to start, so every turn would fail`,
      fix: `fix ${file}${where}`,
    }];
  }
  const results: CheckResult[] = [];
  const enabled = Object.entries(config.mcp_servers ?? {}).filter(([, spec]) => spec?.enabled !== false);
  if (enabled.length > 0) {
    // The bridge hands Codex this CODEX_HOME, and the turn's permission profile confines Codex's own tools only.
    results.push({
      name: "codex mcp servers",
      status: "warn",
      detail: `the bridge's Codex turns start ${enabled.map(([name]) => name).join(", ")} from ${file}; ` +
        "MCP servers run outside the turn's confinement",
      fix: "register only servers you would let a ChatGPT-driven turn use",
    });
  }
  const server = config.mcp_servers?.chatgpt;
  if (!server) {
    return [...results, { name: "ask_chatgpt", status: "warn", detail: `not registered in ${file}`, fix: SETUP }];
  }
  const command = typeof server.command === "string" ? server.command : "";
  const found = command && resolveExecutable(command, env("PATH"));
  if (!found || !command.startsWith("/")) {
    results.push({
      name: "ask_chatgpt",
      status: server.required === true ? "fail" : "warn",
      detail: !found
        ? `the registered command ${JSON.stringify(command)} does not exist` +
          (server.required === true ? ": Codex, the bridge's turns included, fails every session" : "")
        : `the registered command ${JSON.stringify(command)} is relative: it only works from one folder`,
      fix: SETUP,
    });
  } else {
    results.push({ name: "ask_chatgpt", status: "ok", detail: `registered in ${file} (${command})` });
  }
  const written = Object.keys((server.env ?? {}) as Record<string, unknown>).filter((name) =>
    /KEY|TOKEN|SECRET/i.test(name)
  );
  if (written.length > 0) {
    results.push({
      name: "ask_chatgpt secrets",
      status: "warn",
      detail: `${written.join(", ")} written in plain text in ${file}`,
      fix: `${SETUP} (it forwards them by name with env_vars) and rotate the key`,
    });
  }
  return results;
};
