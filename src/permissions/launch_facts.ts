/**
 * What a launch plan was computed from, so `./codex-gpt-bridge` can reuse it
 * without running the planning stage again (~200 ms of a ~80 ms Deno start
 * plus module loading): the arguments, the working folder, every variable the
 * planner read, and every path it resolved. {@linkcode LaunchFacts.guard}
 * renders them as one POSIX shell condition that holds only while all of them
 * still do; the launcher evaluates it before it `exec`s a cached plan, and
 * plans afresh when it fails. The condition calls the functions of
 * `launch_check.sh` and reads the launcher's `$here` (its checkout), so it
 * starts no process but a symlinked file's `realpath`. A fact the shell
 * cannot check (a port picked at random, a secret given as a flag) makes the
 * plan uncacheable instead.
 *
 * Secret variables are recorded as set or unset, never by value: the guard
 * is written to a file.
 *
 * @module
 */
import { type FileProbe, LIVE_PROBE } from "./file_probe.ts";

type Fact =
  | { kind: "env"; name: string; value: string | undefined; secret: boolean }
  | { kind: "realPath"; path: string; real: string | undefined }
  | { kind: "executable"; command: string; found: string | undefined }
  | { kind: "exists"; path: string; exists: boolean };

/** Quotes one word for a POSIX shell. */
export function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Records the facts of one planning run; also the {@linkcode FileProbe} the planner uses. */
export class LaunchFacts implements FileProbe {
  readonly #facts = new Map<string, Fact>();
  readonly #secrets: ReadonlySet<string>;
  #uncacheable: string | undefined;

  /**
   * `secrets`: variables whose values must not be written down (recorded as
   * set or unset); so is any whose name says key, token, secret or password.
   */
  constructor(secrets: Iterable<string>) {
    this.#secrets = new Set(secrets);
  }

  #isSecret(name: string): boolean {
    return this.#secrets.has(name) || /KEY|TOKEN|SECRET|PASS/i.test(name);
  }

  /** `env`, recording each variable it is asked for. */
  recordEnv(env: (name: string) => string | undefined): (name: string) => string | undefined {
    return (name) => {
      const value = env(name);
      this.#facts.set(`env:${name}`, { kind: "env", name, value, secret: this.#isSecret(name) });
      return value;
    };
  }

  /** Marks the plan as one the shell must not reuse, e.g. it holds a port picked at random. */
  uncacheable(reason: string): void {
    this.#uncacheable ??= reason;
  }

  /** Why the plan cannot be reused, if it cannot. */
  get uncacheableReason(): string | undefined {
    return this.#uncacheable;
  }

  async realPath(path: string): Promise<string | undefined> {
    const real = await LIVE_PROBE.realPath(path);
    this.#facts.set(`realPath:${path}`, { kind: "realPath", path, real });
    return real;
  }

  executable(command: string, searchPath: string | undefined): string | undefined {
    const found = LIVE_PROBE.executable(command, searchPath);
    this.#facts.set(`executable:${command}`, { kind: "executable", command, found });
    return found;
  }

  async exists(path: string): Promise<boolean> {
    const exists = await LIVE_PROBE.exists(path);
    this.#facts.set(`exists:${path}`, { kind: "exists", path, exists });
    return exists;
  }

  /**
   * One line of POSIX shell that is true exactly while the launcher's
   * checkout (`$here`) is `checkout`, its arguments are `args` (its own
   * `$@`), its physical working folder is `cwd`, and every recorded fact
   * still holds; undefined when the plan is uncacheable or a fact does not
   * fit on one line.
   */
  guard(args: readonly string[], cwd: string, checkout: string): string | undefined {
    if (this.#uncacheable !== undefined) return undefined;
    const tests = [
      `[ "$here" = ${shellWord(checkout)} ]`,
      `[ "$#" -eq ${args.length} ]`,
      ...args.map((arg, index) => `[ "\${${index + 1}}" = ${shellWord(arg)} ]`),
      // Physical, as Deno.cwd() is; the functions of launch_check.sh rely on it.
      `cd -P . && [ "$PWD" = ${shellWord(cwd)} ]`,
      ...[...this.#facts.values()].map(factTest),
    ];
    const line = tests.join(" && ");
    return /[\n\r\0]/.test(line) ? undefined : line;
  }
}

/** The shell test for one fact (launch_check.sh's functions). A missing `realpath` makes it false: planned again. */
function factTest(fact: Fact): string {
  switch (fact.kind) {
    case "env": {
      if (fact.value === undefined) return `[ -z "\${${fact.name}+set}" ]`;
      const set = `[ -n "\${${fact.name}+set}" ]`;
      return fact.secret ? set : `${set} && [ "\${${fact.name}}" = ${shellWord(fact.value)} ]`;
    }
    case "realPath":
      return fact.real === undefined
        ? `! [ -e ${shellWord(fact.path)} ]`
        : `cgb_real ${shellWord(fact.path)} ${shellWord(fact.real)}`;
    case "executable": {
      if (!fact.command.includes("/")) {
        const found = fact.found === undefined ? `[ -z "$cgb_found" ]` : `[ "$cgb_found" = ${shellWord(fact.found)} ]`;
        return `cgb_which ${shellWord(fact.command)} && ${found}`;
      }
      return fact.found === undefined
        ? `! { [ -f ${shellWord(fact.command)} ] && [ -x ${shellWord(fact.command)} ]; }`
        : `[ -f ${shellWord(fact.found)} ] && [ -x ${shellWord(fact.found)} ]`;
    }
    case "exists":
      return fact.exists ? `[ -e ${shellWord(fact.path)} ]` : `! [ -e ${shellWord(fact.path)} ]`;
  }
}
