/**
 * Which sandbox a Codex turn may use. The owner decides (`--allow-write`);
 * callers may only pick within that, and `danger-full-access` is never
 * accepted, however it is spelled.
 *
 * @module
 */
import { PolicyError } from "../errors.ts";
import type { SandboxMode } from "../upstream/types.ts";

/** Options for {@linkcode decideSandbox}. */
export interface DecideSandboxOptions {
  allowWrite: boolean;
}

/** The sandboxes a caller may choose from. */
export function sandboxChoices(allowWrite: boolean): readonly SandboxMode[] {
  return allowWrite ? ["read-only", "workspace-write"] : ["read-only"];
}

/**
 * Validates a requested sandbox (undefined → read-only). Throws
 * {@linkcode PolicyError} explaining what is allowed.
 */
export function decideSandbox(requested: string | undefined, options: DecideSandboxOptions): SandboxMode {
  if (requested === undefined) return "read-only";
  // Normalise spelling so "Danger_Full_Access " cannot slip past as "unknown".
  const normal = requested.trim().toLowerCase().replaceAll("_", "-");
  if (normal.includes("danger") || normal.includes("full-access")) {
    throw new PolicyError(
      `Sandbox "${requested}" is never accepted by this bridge; use read-only` +
        (options.allowWrite ? " or workspace-write" : ""),
    );
  }
  if (normal === "read-only") return "read-only";
  if (normal === "workspace-write") {
    if (options.allowWrite) return "workspace-write";
    throw new PolicyError(
      `Sandbox "workspace-write" is not allowed: the owner must start the bridge with --allow-write ` +
        `(CODEX_GPT_BRIDGE_ALLOW_WRITE=1); use read-only`,
    );
  }
  throw new PolicyError(
    `Unknown sandbox "${requested}": accepted values are ${sandboxChoices(options.allowWrite).join(", ")}`,
  );
}
