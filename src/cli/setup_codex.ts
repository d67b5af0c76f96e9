/**
 * `codex-gpt-bridge setup codex [--remove]`: registers this checkout's
 * `chatgpt` stdio server in the user's Codex configuration
 * (`$CODEX_HOME/config.toml`) so every Codex session, started from any
 * folder, is offered `ask_chatgpt`. The command is absolute; the API key and
 * the other settings are forwarded by name (`env_vars`), never written.
 * Every other line of the file is kept (see `toml_table_edit.ts`).
 *
 * Loaded only for this command: `serve` never loads the TOML library.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHATGPT_OPTIONS, LAUNCHER_DENO_ENV, optionVariables } from "../config/options.ts";
import type { SetupCodexConfig } from "../config/setup_codex_config.ts";
import { ConfigError } from "../errors.ts";
import { editTable, type TomlTable } from "./toml_table_edit.ts";

/** Where the `chatgpt` server lives in Codex's config. */
export const CHATGPT_TABLE = ["mcp_servers", "chatgpt"] as const;

/** How long Codex waits for the server to start: it starts Deno twice (launcher, confined process). */
const STARTUP_TIMEOUT_SEC = 30;
/** Longer than `ask_chatgpt`'s own default limit (180 s), so the tool's own timeout answers first. */
const TOOL_TIMEOUT_SEC = 300;

/** How this program is running, which decides the command Codex should start. */
export interface RunningProgram {
  /** A `deno compile`d binary (`Deno.build.standalone`). */
  standalone: boolean;
  /** `Deno.execPath()`: the compiled binary itself, or the Deno running main.ts. */
  execPath: string;
  /** The checkout holding main.ts and the `codex-gpt-bridge` launcher. */
  projectDir: string;
}

/** This process, started from `entry` (main.ts's URL). */
export function runningProgram(entry: string): RunningProgram {
  return {
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    projectDir: fileURLToPath(new URL(".", entry)),
  };
}

/**
 * The `[mcp_servers.chatgpt]` table for Codex: an absolute command (it works
 * from any session folder), the variables Codex forwards by name, required
 * (Codex waits for it rather than running a turn without `ask_chatgpt`).
 * From a checkout, the launcher is told which Deno to run, so it works without
 * Deno on the PATH Codex gives it.
 */
export function chatgptServerTable(program: RunningProgram): TomlTable {
  const launch = program.standalone
    ? { command: program.execPath, args: ["chatgpt"] }
    : { command: join(program.projectDir, "codex-gpt-bridge"), args: ["chatgpt"] };
  return {
    ...launch,
    env_vars: optionVariables(CHATGPT_OPTIONS),
    required: true,
    startup_timeout_sec: STARTUP_TIMEOUT_SEC,
    tool_timeout_sec: TOOL_TIMEOUT_SEC,
    ...(program.standalone ? {} : { env: { [LAUNCHER_DENO_ENV]: program.execPath } }),
  };
}

const COMMENTS = [
  "Written by `codex-gpt-bridge setup codex`; `setup codex --remove` takes it out.",
  "No secret here: env_vars forwards those variables from the environment Codex runs in.",
];

/** What {@linkcode setupCodex} did, for the message and for tests. */
export interface SetupCodexResult {
  file: string;
  action: "added" | "updated" | "unchanged" | "removed" | "absent";
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Replaces `file` in one step (a temp file beside it, renamed over it), keeping its mode. */
async function replaceFile(file: string, text: string, dir: string): Promise<void> {
  const mode = await Deno.stat(file).then((info) => (info.mode ?? 0o600) & 0o7777, () => 0o600);
  const temp = join(dir, `.${basename(file)}.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temp, text, { mode, createNew: true });
    await Deno.chmod(temp, mode);
    await Deno.rename(temp, file);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new ConfigError(`Cannot write ${file}: ${(error as Error).message}`);
  }
}

/** Adds, updates or removes the registration; writes only when something changes. */
export async function setupCodex(config: SetupCodexConfig, program: RunningProgram): Promise<SetupCodexResult> {
  const file = join(config.codexHome, "config.toml");
  if (program.standalone && Deno.permissions.querySync({ name: "write", path: config.codexHome }).state !== "granted") {
    throw new ConfigError(
      `This compiled binary may not write ${config.codexHome} (its permissions were fixed at compile time, for ` +
        "serve): run `./codex-gpt-bridge setup codex` from the checkout, which registers its launcher",
    );
  }
  const before = await readIfPresent(file);
  if (config.remove && before === undefined) return { file, action: "absent" };
  const table = config.remove ? undefined : chatgptServerTable(program);
  const edit = editTable({ text: before ?? "", file, path: CHATGPT_TABLE, table, comments: COMMENTS });
  const { changed, text, existed } = edit;
  if (!changed) return { file, action: config.remove ? "absent" : "unchanged" };
  try {
    await Deno.mkdir(config.codexHome, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`Cannot create ${config.codexHome}: ${(error as Error).message}`);
  }
  // A symlinked config.toml (dotfile managers) stays a link: the file it points to is replaced.
  const target = await Deno.realPath(file).catch(() => file);
  await replaceFile(target, text, dirname(target));
  return { file, action: config.remove ? "removed" : existed ? "updated" : "added" };
}

/** The lines `setup codex` prints for a result. */
export function describeSetup(result: SetupCodexResult, program: RunningProgram): string[] {
  const { file } = result;
  switch (result.action) {
    case "absent":
      return [`No chatgpt server registered in ${file}: nothing to remove.`];
    case "removed":
      return [`Removed the chatgpt MCP server from ${file}; every other line is as it was.`];
    case "unchanged":
    case "added":
    case "updated": {
      const table = chatgptServerTable(program);
      const verb = result.action === "unchanged" ? "Already registered" : "Registered";
      return [
        `${verb}: the chatgpt MCP server in ${file} (command ${table.command} ${(table.args as string[]).join(" ")}).`,
        `Codex forwards ${(table.env_vars as string[]).join(", ")} from its environment; no value is written.`,
        "Set OPENAI_API_KEY where you start Codex; `codex mcp list` shows the server. " +
        "Undo with `codex-gpt-bridge setup codex --remove`.",
      ];
    }
  }
}
