/**
 * What a login service starts, as data the unit and plist renderers share.
 *
 * @module
 */

/** The service's launch: the same confined start `./codex-gpt-bridge serve …` does. */
export interface ServiceSpec {
  /** Absolute path of `./codex-gpt-bridge` (or the compiled binary). */
  readonly program: string;
  /** Arguments after the program: `serve`, then the validated serve flags. */
  readonly args: readonly string[];
  /** PATH for the service (systemd and launchd start services with a minimal one; Codex needs node, the launcher deno). */
  readonly path: string;
  /** The owner's home folder. */
  readonly home: string;
}

/** The systemd unit's file name and launchd's label. */
export const SERVICE_NAME = "codex-gpt-bridge";
