/**
 * Renders the systemd user unit (`~/.config/systemd/user/codex-gpt-bridge.service`).
 * Pure: the same spec gives the same bytes (golden-file tested, and checked
 * with `systemd-analyze verify`).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { ServiceSpec } from "./service_spec.ts";

// Words systemd takes as they are; anything else is double-quoted.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

function noControl(text: string, what: string): void {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) {
    throw new ConfigError(`Cannot write ${what} into a systemd unit: it contains a control character`);
  }
}

/** `%` starts a specifier everywhere in a unit; doubled, it is a literal `%`. */
function escapeSpecifiers(text: string): string {
  return text.replaceAll("%", "%%");
}

/**
 * One ExecStart word as systemd reads it back unchanged: `%` → `%%`, `$` →
 * `$$` (no variable expansion), and quotes with C escapes around anything
 * beyond plain characters.
 */
export function systemdWord(word: string): string {
  noControl(word, JSON.stringify(word));
  if (word === ";") return "\\;";
  const escaped = escapeSpecifiers(word).replace(/\$/g, () => "$$");
  if (PLAIN.test(word)) return escaped;
  return `"${escaped.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** An `Environment=` assignment (no `$` expansion there; specifiers still are). */
function environmentLine(name: string, value: string): string {
  noControl(value, name);
  return `Environment="${escapeSpecifiers(`${name}=${value}`).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The unit file's text. */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const execStart = [spec.program, ...spec.args].map(systemdWord).join(" ");
  return [
    "# codex-gpt-bridge as a systemd user service, written by `codex-gpt-bridge service install`.",
    "# No secret is kept here: the tunnel's key and the bearer token are read from the keychain at each start.",
    "# Change it with `codex-gpt-bridge service install …` again; `codex-gpt-bridge service uninstall` removes it.",
    "[Unit]",
    "Description=codex-gpt-bridge: ChatGPT and the local Codex CLI, together (serve)",
    "",
    "[Service]",
    "Type=simple",
    "WorkingDirectory=%h",
    environmentLine("PATH", spec.path),
    `ExecStart=${execStart}`,
    "Restart=on-failure",
    "RestartSec=5",
    // SIGTERM lets in-flight work finish; the bridge exits on its own well within this.
    "TimeoutStopSec=30",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}
