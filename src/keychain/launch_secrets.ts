/**
 * What the launcher stage fills from the keychain before it starts the
 * confined child (which cannot run the keychain tool). Only what this start
 * needs is looked up, and a variable that is set always wins.
 *
 * @module
 */
import { type Keychain, KeychainError } from "./keychain.ts";
import { SECRETS } from "./secret_names.ts";

/** What decides which secrets this start needs. */
export interface LaunchSecretsInput {
  /** The tunnel id from `--tunnel-id` or its variable; undefined looks it up. */
  tunnelId: string | undefined;
  /** Bearer mode with no token given (by flag or variable). */
  needsToken: boolean;
  env: (name: string) => string | undefined;
  keychain: Keychain;
  /** Told about a keychain that fails; the start goes on without it. */
  warn: (line: string) => void;
}

const byEnv = (env: string) => SECRETS.find((spec) => spec.env === env)!;

/**
 * Variables to add to the confined child's environment, e.g.
 * `{CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_API_KEY}`. A missing keychain tool
 * means nothing is stored, without starting any process.
 */
export async function launchSecrets(input: LaunchSecretsInput): Promise<Record<string, string>> {
  const { env, keychain } = input;
  if (!keychain.available) return {};
  const filled: Record<string, string> = {};
  const lookUp = async (variable: string) => {
    if (env(variable) !== undefined) return;
    const spec = byEnv(variable);
    try {
      const value = await keychain.get(spec.name);
      if (value !== undefined && value !== "") filled[variable] = value;
    } catch (error) {
      if (!(error instanceof KeychainError)) throw error;
      input.warn(`keychain: ${error.message}; starting without ${spec.name}`);
    }
  };
  // The tunnel id and the token are independent: look both up at once.
  await Promise.all([
    input.tunnelId === undefined ? lookUp("CONTROL_PLANE_TUNNEL_ID") : undefined,
    input.needsToken ? lookUp("CODEX_GPT_BRIDGE_TOKEN") : undefined,
  ]);
  // The key is only any use with a tunnel to open.
  if (input.tunnelId !== undefined || filled.CONTROL_PLANE_TUNNEL_ID !== undefined) {
    await lookUp("CONTROL_PLANE_API_KEY");
  }
  return filled;
}
