/**
 * Where each OS keeps a login service's file, and the folders installing it
 * writes (the only ones the `service` command may write).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { launchAgentLogDir } from "./launch_agent.ts";
import { SERVICE_NAME } from "./service_spec.ts";

/** The service file and what installing it writes. */
export interface ServiceFiles {
  /** `~/.config/systemd/user/codex-gpt-bridge.service` or `~/Library/LaunchAgents/codex-gpt-bridge.plist`. */
  file: string;
  /** The file's folder, and on macOS the log folder. */
  writeDirs: string[];
  /** The service manager's command: `systemctl` or `launchctl`. */
  manager: "systemctl" | "launchctl";
}

/** The files for `os`; other systems are a clear error. */
export function serviceFiles(os: typeof Deno.build.os, home: string): ServiceFiles {
  if (os === "darwin") {
    const file = join(home, "Library", "LaunchAgents", `${SERVICE_NAME}.plist`);
    return { file, writeDirs: [dirname(file), launchAgentLogDir(home)], manager: "launchctl" };
  }
  if (os === "linux") {
    const file = join(home, ".config", "systemd", "user", `${SERVICE_NAME}.service`);
    return { file, writeDirs: [dirname(file)], manager: "systemctl" };
  }
  throw new ConfigError(`service install supports Linux (systemd) and macOS (launchd), not ${os}`);
}
