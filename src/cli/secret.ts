/**
 * `codex-gpt-bridge secret set|get|delete NAME`: the owner's secrets in the
 * OS keychain (see src/keychain/). `set` reads the value from standard
 * input, never from the command line.
 *
 * @module
 */
import { type Keychain, KeychainError } from "../keychain/keychain.ts";
import { knownSecretNames, SECRETS, secretSpec } from "../keychain/secret_names.ts";
import { InputAborted } from "./secret_input.ts";

/** What `secret` talks to; main.ts passes the real ones, tests their own. */
export interface SecretCommandIo {
  keychain: Keychain;
  /** The value for `set` (standard input). */
  readValue: (name: string) => Promise<string>;
  /** Standard output (only `get` writes there: the value). */
  out: (text: string) => void;
  /** Standard error: messages. */
  err: (line: string) => void;
}

/** `--help` text of the command. */
export const SECRET_USAGE =
  `  codex-gpt-bridge secret set NAME      store a value read from standard input (a terminal does not echo it)
  codex-gpt-bridge secret get NAME      print the stored value on standard output
  codex-gpt-bridge secret delete NAME   remove it
  Names (each fills its variable at start when the variable is unset):
${SECRETS.map((spec) => `    ${spec.name}  → ${spec.env}: ${spec.description}`).join("\n")}`;

const ACTIONS = ["set", "get", "delete"];

/** Runs `secret …` and returns the exit code: 0 done, 1 keychain failure or nothing stored, 2 usage error. */
export async function runSecretCommand(args: readonly string[], io: SecretCommandIo): Promise<number> {
  const [action, name, ...extra] = args;
  if (action === undefined || !ACTIONS.includes(action)) {
    io.err(`Unknown secret action ${JSON.stringify(action ?? "")}: use set, get or delete (see --help)`);
    return 2;
  }
  if (name === undefined) {
    io.err(`Missing NAME: codex-gpt-bridge secret ${action} NAME, with NAME one of ${knownSecretNames()}`);
    return 2;
  }
  const spec = secretSpec(name);
  if (!spec) {
    io.err(`Unknown secret name ${JSON.stringify(name)}: known names are ${knownSecretNames()}`);
    return 2;
  }
  if (extra.length > 0) {
    io.err(
      action === "set"
        ? `The value is read from standard input, never the command line (process lists show arguments): ` +
          `printf %s "$VALUE" | codex-gpt-bridge secret set ${name}`
        : `Unexpected argument after ${name}: codex-gpt-bridge secret ${action} NAME takes one name`,
    );
    return 2;
  }
  try {
    if (action === "get") {
      const value = await io.keychain.get(name);
      if (value === undefined) {
        io.err(`Nothing stored under ${name} in ${io.keychain.tool}`);
        return 1;
      }
      io.out(`${value}\n`);
      return 0;
    }
    if (action === "delete") {
      const deleted = await io.keychain.delete(name);
      io.err(deleted ? `Deleted ${name} from ${io.keychain.tool}` : `Nothing was stored under ${name}`);
      return 0;
    }
    if (!io.keychain.available) await io.keychain.get(name); // Says which tool is missing, before asking for input.
    const value = await io.readValue(name);
    const problem = spec.check(value);
    if (problem) {
      io.err(`Invalid value for ${name}: ${problem}; nothing stored`);
      return 2;
    }
    await io.keychain.set(name, value);
    io.err(`Stored ${name} in ${io.keychain.tool}; serve reads it into ${spec.env} at start when that is unset`);
    return 0;
  } catch (error) {
    if (error instanceof InputAborted) {
      io.err(error.message);
      return 130;
    }
    if (!(error instanceof KeychainError)) throw error;
    io.err(error.message);
    return 1;
  }
}
