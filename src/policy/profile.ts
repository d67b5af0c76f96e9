/**
 * Builds the {@linkcode Confinement} of one Codex turn: what the OS lets
 * Codex read and write while it runs. Pure: every input is resolved by the
 * caller (roots and read paths at start, the secret scan per turn).
 *
 * @module
 */
import { dirname } from "node:path";
import type { Confinement, SandboxMode } from "../upstream/types.ts";
import { isPathInside } from "./roots.ts";

/**
 * System files the minimal system set would expose (it binds all of
 * `/etc`): password hashes, sudo rules, host keys, stored network secrets.
 */
export const PRIVATE_SYSTEM_FILES: readonly string[] = [
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/sudoers",
  "/etc/sudoers.d",
  "/etc/ssh",
  "/etc/ssl/private",
  "/etc/security/opasswd",
  "/etc/krb5.keytab",
  "/etc/NetworkManager/system-connections",
  "/etc/wpa_supplicant",
];

/** Inputs of {@linkcode buildConfinement}. */
export interface ConfinementInput {
  /** Realpath of the allowed root that holds the cwd: the only root Codex sees. */
  root: string;
  /** Realpath of the turn's working directory (inside `root`). */
  cwd: string;
  sandbox: SandboxMode;
  /** Codex's own install folder (see `codex_install.ts`), when known. */
  codexInstall?: string;
  /** The owner's extra read-only folders (`--codex-read-path`), resolved. */
  readPaths: readonly string[];
  /** Secrets found in `root` and the read paths (absolute paths). */
  secrets: readonly string[];
  /** Realpath of CODEX_HOME: hidden whenever a readable folder holds it. */
  codexHome?: string;
  /** Private system files to deny. @default PRIVATE_SYSTEM_FILES */
  systemFiles?: readonly string[];
}

/** Every folder from `/` down to `dir`. */
function selfAndAncestors(dir: string): string[] {
  const chain = [dir];
  while (dirname(chain[0]) !== chain[0]) chain.unshift(dirname(chain[0]));
  return chain;
}

/**
 * In a writable root, every folder between the root and a hidden path.
 * Measured on Codex 0.153.4–0.171.0: a hidden path is a mount point that
 * cannot be renamed, but a folder above it can (`mv sub sub2`), and the next
 * command's sandbox, built from the old path, no longer covers the moved
 * secret. A folder that is its own write entry becomes a mount point too, so
 * renaming it fails ("Device or resource busy") while writing inside it works.
 */
function renamePins(root: string, hidden: Iterable<string>): string[] {
  const pins = new Set<string>();
  for (const path of hidden) {
    if (!isPathInside(path, root)) continue;
    for (let dir = dirname(path); dir !== root && isPathInside(dir, root); dir = dirname(dir)) pins.add(dir);
  }
  return [...pins].sort();
}

/** See the module doc. */
export function buildConfinement(input: ConfinementInput): Confinement {
  const readable = [...new Set([input.root, ...(input.codexInstall ? [input.codexInstall] : []), ...input.readPaths])];
  const inReadable = (path: string) => readable.some((dir) => isPathInside(path, dir));
  const hidden = new Set(input.secrets);
  if (input.codexHome && inReadable(input.codexHome)) hidden.add(input.codexHome);
  for (const file of input.systemFiles ?? PRIVATE_SYSTEM_FILES) hidden.add(file);
  const writable = input.sandbox === "workspace-write" ? [input.root, ...renamePins(input.root, hidden)] : [];
  return Object.freeze({
    readable: Object.freeze(readable),
    writable: Object.freeze(writable),
    hidden: Object.freeze([...hidden].sort()),
    // Codex looks for project configuration from the cwd's project root (a `.git` anywhere above) down to the
    // cwd, and records trust for such folders: every one of them is pinned untrusted.
    untrusted: Object.freeze(selfAndAncestors(input.cwd)),
  });
}
