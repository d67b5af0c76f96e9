/**
 * `codex-gpt-bridge oauth list | revoke ID | revoke --all`: the owner's view
 * of the OAuth grants in the state folder. Opens the database without its
 * lock, so it works while the bridge runs; the bridge reads grants from the
 * database on every request, so a revocation counts at once.
 *
 * @module
 */
import type { OAuthCliConfig } from "../config/oauth_cli_config.ts";
import { openDatabase } from "../state/database.ts";
import { openGrantTables } from "../oauth/store.ts";

/** Runs the command, writing lines with `print`; returns the exit code. */
export async function runOAuthCli(config: OAuthCliConfig, print: (line: string) => void): Promise<number> {
  try {
    await Deno.stat(config.stateDir);
  } catch {
    print(`No state folder at ${config.stateDir}: no grants (pass --state-dir if the bridge uses another)`);
    return config.action.kind === "list" ? 0 : 1;
  }
  const state = await openDatabase(config.stateDir);
  try {
    const grants = openGrantTables(state);
    const { action } = config;
    if (action.kind === "revoke-all") {
      print(`Revoked ${grants.revokeAll()} grant(s).`);
      return 0;
    }
    if (action.kind === "revoke") {
      if (grants.revokeGrant(action.id)) {
        print(`Revoked ${action.id}.`);
        return 0;
      }
      print(`No grant ${action.id} (see: codex-gpt-bridge oauth list).`);
      return 1;
    }
    const list = grants.listGrants();
    if (list.length === 0) {
      print("No OAuth grants.");
      return 0;
    }
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
    for (const grant of list) {
      print(
        `${grant.id}  ${JSON.stringify(grant.clientName)}  answers to ${new URL(grant.redirectUri).host}  ` +
          `scope ${grant.scope}  approved ${day(grant.createdAt)}  last used ${day(grant.lastUsedAt)}  ` +
          `ends ${day(grant.expiresAt)}  client ${grant.clientId}`,
      );
    }
    return 0;
  } finally {
    state.close();
  }
}
