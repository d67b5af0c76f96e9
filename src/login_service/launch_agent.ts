/**
 * Renders the macOS LaunchAgent (`~/Library/LaunchAgents/codex-gpt-bridge.plist`).
 * Pure: the same spec gives the same bytes (golden-file tested, and parsed
 * against the plist DTD's shape).
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { SERVICE_NAME, type ServiceSpec } from "./service_spec.ts";

/** Where the agent's stdout and stderr go. */
export function launchAgentLogDir(home: string): string {
  return join(home, "Library", "Logs", SERVICE_NAME);
}

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters at all, escaped or not.
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text)) {
    throw new ConfigError(`Cannot write ${JSON.stringify(text)} into a plist: it contains a control character`);
  }
  const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

const string = (text: string, indent: string) => `${indent}<string>${xml(text)}</string>`;

/** The plist's text. */
export function renderLaunchAgent(spec: ServiceSpec): string {
  const logs = launchAgentLogDir(spec.home);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    "<!-- codex-gpt-bridge as a LaunchAgent, written by `codex-gpt-bridge service install`. No secret is kept",
    "     here: the tunnel's key and the bearer token are read from the keychain at each start. -->",
    '<plist version="1.0">',
    "<dict>",
    "\t<key>Label</key>",
    string(SERVICE_NAME, "\t"),
    "\t<key>ProgramArguments</key>",
    "\t<array>",
    ...[spec.program, ...spec.args].map((arg) => string(arg, "\t\t")),
    "\t</array>",
    "\t<key>EnvironmentVariables</key>",
    "\t<dict>",
    "\t\t<key>PATH</key>",
    string(spec.path, "\t\t"),
    "\t</dict>",
    "\t<key>WorkingDirectory</key>",
    string(spec.home, "\t"),
    "\t<key>RunAtLoad</key>",
    "\t<true/>",
    // Restarted when it fails, as systemd's Restart=on-failure; a clean exit (e.g. uninstall) stays down.
    "\t<key>KeepAlive</key>",
    "\t<dict>",
    "\t\t<key>SuccessfulExit</key>",
    "\t\t<false/>",
    "\t</dict>",
    "\t<key>ThrottleInterval</key>",
    "\t<integer>10</integer>",
    "\t<key>StandardOutPath</key>",
    string(join(logs, "serve.log"), "\t"),
    "\t<key>StandardErrorPath</key>",
    string(join(logs, "serve.err.log"), "\t"),
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
