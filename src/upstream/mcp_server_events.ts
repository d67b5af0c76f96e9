/**
 * Translates the `codex/event` notifications of `codex mcp-server` (the `msg`
 * of each: `{ type, … }`, Codex's internal `EventMsg`) into the bridge's
 * {@linkcode UpstreamEvent}s, one translator per turn.
 *
 * Codex reports a command it ran with `exec_command_begin` / `_end`, except
 * when the sandbox refused it: then only the model's raw `function_call` and
 * its `function_call_output` stream past. The translator remembers the raw
 * calls so such a command is still reported, with its exit code.
 *
 * @module
 */
import type { UpstreamEvent } from "./types.ts";

/** The `msg` of a `codex/event` notification, loosely typed: Codex adds fields freely. */
export type CodexEventMsg = { type?: unknown; [key: string]: unknown };

/** Event types that carry nothing a poller needs (streaming pieces, echoes, bookkeeping). */
const QUIET = new Set([
  "session_configured",
  "raw_response_completed",
  "item_started",
  "item_completed",
  "token_count",
  "user_message",
  "mcp_startup_update",
  "mcp_startup_complete",
  "agent_reasoning_section_break",
  // The elicitation that follows is where the bridge declines; it reports approval_declined.
  "exec_approval_request",
  "apply_patch_approval_request",
]);

/** Tools through which the model runs shell commands. */
const SHELL_TOOLS = new Set(["exec_command", "shell", "shell_command", "local_shell"]);

interface Command {
  text: string;
  /** Whether command_started was emitted for it. */
  started: boolean;
}

/**
 * The shell command as a person would type it: `["/bin/bash", "-lc", "ls -a"]`
 * becomes `ls -a`; other argument vectors are joined with spaces.
 */
export function displayCommand(command: unknown): string {
  if (typeof command === "string") return command;
  if (!Array.isArray(command)) return "";
  const parts = command.map(String);
  const isShellWrapper = parts.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(parts[0]) && /^-l?c$/.test(parts[1]);
  return isShellWrapper ? parts[2] : parts.join(" ");
}

/** See the module doc. */
export class CodexEventTranslator {
  #emit: (event: UpstreamEvent) => void;
  #commands = new Map<string, Command>();
  #declined = new Set<string>();

  constructor(emit: (event: UpstreamEvent) => void) {
    this.#emit = emit;
  }

  /** Translates one event. */
  translate(msg: CodexEventMsg): void {
    const type = typeof msg.type === "string" ? msg.type : "";
    const callId = String(msg.call_id ?? "");
    switch (type) {
      case "exec_command_begin": {
        const text = displayCommand(msg.command);
        this.#commands.set(callId, { text, started: true });
        this.#emit({ kind: "command_started", command: text });
        return;
      }
      case "exec_command_end": {
        const command = this.#commands.get(callId);
        if (!command?.started) return;
        this.#commands.delete(callId);
        this.#emit({ kind: "command_finished", command: command.text, exitCode: numberOr(msg.exit_code) });
        return;
      }
      case "raw_response_item":
        return this.#rawItem((msg.item ?? {}) as Record<string, unknown>);
      case "agent_message":
        this.#emit({ kind: "agent_message", text: String(msg.message ?? "") });
        return;
      case "agent_reasoning":
        this.#emit({ kind: "reasoning" });
        return;
      case "patch_apply_begin":
        this.#emit({ kind: "file_change", paths: Object.keys((msg.changes ?? {}) as object) });
        return;
      default:
        if (type && !QUIET.has(type) && !type.endsWith("_delta")) this.#emit({ kind: "other", type });
    }
  }

  /** Reports an approval the bridge declined; `callId` is Codex's id for the command or patch. */
  declined(callId: string, request: string): void {
    this.#declined.add(callId);
    this.#emit({ kind: "approval_declined", request });
  }

  /** Closes the commands still running when the turn ended (interrupted, or Codex died). */
  finish(): void {
    for (const command of this.#commands.values()) {
      if (command.started) this.#emit({ kind: "command_finished", command: command.text });
    }
    this.#commands.clear();
  }

  #rawItem(item: Record<string, unknown>): void {
    const callId = String(item.call_id ?? "");
    if (item.type === "function_call" && SHELL_TOOLS.has(String(item.name))) {
      if (!this.#commands.has(callId)) this.#commands.set(callId, { text: commandOf(item.arguments), started: false });
      return;
    }
    if (item.type !== "function_call_output") return;
    const command = this.#commands.get(callId);
    if (!command || command.started) return;
    this.#commands.delete(callId);
    // A declined command never ran; approval_declined already said so.
    if (this.#declined.has(callId)) return;
    const output = typeof item.output === "string" ? item.output : "";
    const exitCode = numberOr(Number(output.match(/Process exited with code (-?\d+)/)?.[1]));
    this.#emit({ kind: "command_started", command: command.text });
    this.#emit({ kind: "command_finished", command: command.text, exitCode });
  }
}

function commandOf(args: unknown): string {
  try {
    const parsed = typeof args === "string" ? JSON.parse(args) : args;
    return displayCommand(parsed?.cmd ?? parsed?.command);
  } catch {
    return "";
  }
}

function numberOr(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
