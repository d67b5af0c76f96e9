/**
 * The secrets the bridge keeps in the OS keychain: their names (as the
 * original project named them), the environment variable each one fills at
 * start, and what a value must look like.
 *
 * @module
 */

/** One known secret. */
export interface SecretSpec {
  /** Keychain name, e.g. `codex-gpt-bridge:token`. */
  readonly name: string;
  /** The variable the launcher fills from it when unset. */
  readonly env: string;
  /** What it is, for `--help` and messages. */
  readonly description: string;
  /** Returns what is wrong with `value`, or undefined. */
  readonly check: (value: string) => string | undefined;
}

// Letters, digits and a few marks: every real key, id and token fits (base64, base64url, `sk-proj-…`), and such
// a value needs no quoting anywhere (notably in `security -i`'s command line, see keychain.ts).
const PLAIN_VALUE = /^[A-Za-z0-9._~+\/=:@-]+$/;
const MAX_LENGTH = 4096;

function plain(value: string): string | undefined {
  if (value.length === 0) return "the value is empty";
  if (value.length > MAX_LENGTH) return `the value is longer than ${MAX_LENGTH} characters`;
  if (!PLAIN_VALUE.test(value)) return "expected letters, digits and - _ . ~ + / = : @ only (no spaces or quotes)";
  return undefined;
}

/** The known secrets, keyed by name. */
export const SECRETS: readonly SecretSpec[] = Object.freeze([
  {
    name: "codex-gpt-bridge:control-plane-api-key",
    env: "CONTROL_PLANE_API_KEY",
    description: "runtime API key of OpenAI's Secure MCP Tunnel",
    check: plain,
  },
  {
    name: "codex-gpt-bridge:control-plane-tunnel-id",
    env: "CONTROL_PLANE_TUNNEL_ID",
    description: "the tunnel's id (tunnel_ + 32 lowercase letters or digits)",
    check: (value) =>
      plain(value) ??
        (/^tunnel_[a-z0-9]{32}$/.test(value)
          ? undefined
          : "expected tunnel_ followed by 32 lowercase letters or digits"),
  },
  {
    name: "codex-gpt-bridge:token",
    env: "CODEX_GPT_BRIDGE_TOKEN",
    description: "the bridge's bearer token for local HTTP clients (at least 16 characters)",
    check: (value) => plain(value) ?? (value.length < 16 ? "expected at least 16 characters" : undefined),
  },
]);

/** The spec of a known name, or undefined. */
export function secretSpec(name: string): SecretSpec | undefined {
  return SECRETS.find((spec) => spec.name === name);
}

/** The known names, for messages. */
export function knownSecretNames(): string {
  return SECRETS.map((spec) => spec.name).join(", ");
}
