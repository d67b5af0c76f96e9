/**
 * The checks `doctor` runs, in report order. Add a group by writing its
 * file of {@linkcode Check} functions and listing them here.
 *
 * @module
 */
import type { Check } from "./check.ts";
import { checkCodex, checkCodexLogin } from "./codex_checks.ts";
import { checkCodexConfig } from "./codex_config_checks.ts";
import { checkReadPaths, checkRoots } from "./root_checks.ts";
import { checkAuth, checkPermissions, checkPort, checkStateDir } from "./server_checks.ts";
import { checkKeychain, checkTunnel } from "./tunnel_checks.ts";

/** Every check, in the order the report lists them. */
export const DOCTOR_CHECKS: readonly Check[] = [
  checkCodex,
  checkCodexLogin,
  checkCodexConfig,
  checkRoots,
  checkReadPaths,
  checkPort,
  checkAuth,
  checkStateDir,
  checkKeychain,
  checkTunnel,
  checkPermissions,
];
