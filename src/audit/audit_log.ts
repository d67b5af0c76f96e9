/**
 * The audit trail: one JSON line per delegation to Codex and one per
 * outcome, appended to `audit.jsonl` in the state folder, so the owner can
 * see who asked Codex to do what, where, and how it ended. Prompts are left
 * out unless the owner asks (`--audit-prompts`): they may hold pasted
 * secrets. Rotated by size: `audit.jsonl` → `audit.1.jsonl` → … (the oldest
 * dropped).
 *
 * @module
 */
import { join } from "node:path";

/** The current audit file's name inside the state folder. */
export const AUDIT_FILE = "audit.jsonl";

/** Options for {@linkcode AuditLog}. */
export interface AuditLogOptions {
  /** The state folder. */
  dir: string;
  /** Write prompts too (`--audit-prompts`). @default false */
  prompts?: boolean;
  /** Size at which the file is rotated. @default 10 MiB */
  maxBytes?: number;
  /** Rotated files kept besides the current one (at least 1). @default 3 */
  keep?: number;
  now?: () => number;
}

/** What every line of a job says: which job, where it ran and for whom. */
export interface AuditJob {
  tool: string;
  jobId: string;
  threadId?: string;
  root: string;
  cwd: string;
  sandbox: string;
  /** The model asked for; absent when Codex's own default applies. */
  model?: string;
  reasoningEffort?: string;
  /** Who asked, as the auth layer names the client. */
  clientId?: string;
}

/** What is recorded when a job starts. */
export interface DelegationEntry extends AuditJob {
  requestId?: string;
  prompt: string;
}

/** What is recorded when a job ends. */
export interface OutcomeEntry extends AuditJob {
  status: string;
  durationMs: number;
  error?: string;
}

/** Appends audit lines; see the module doc. */
export class AuditLog {
  /** Absolute path of the current file (shown by `bridge_status`). */
  readonly file: string;
  readonly prompts: boolean;
  #o: Required<Omit<AuditLogOptions, "prompts">>;
  #size: number;
  #encoder = new TextEncoder();

  constructor(options: AuditLogOptions) {
    this.#o = { maxBytes: 10 * 2 ** 20, now: Date.now, ...options, keep: Math.max(1, options.keep ?? 3) };
    this.prompts = options.prompts ?? false;
    this.file = join(options.dir, AUDIT_FILE);
    try {
      this.#size = Deno.statSync(this.file).size;
    } catch {
      this.#size = 0;
    }
  }

  /** Records a delegation (the prompt only when the owner asked for prompts). */
  delegation(entry: DelegationEntry): void {
    const { prompt, ...rest } = entry;
    this.#append({ event: "delegation", ...rest, ...(this.prompts ? { prompt } : {}) });
  }

  /** Records how a job ended. */
  outcome(entry: OutcomeEntry): void {
    this.#append({ event: "outcome", ...entry });
  }

  #append(fields: Record<string, unknown>): void {
    const line = this.#encoder.encode(
      JSON.stringify({ time: new Date(this.#o.now()).toISOString(), ...fields }) + "\n",
    );
    if (this.#size > 0 && this.#size + line.length > this.#o.maxBytes) this.#rotate();
    Deno.writeFileSync(this.file, line, { append: true, create: true, mode: 0o600 });
    this.#size += line.length;
  }

  #rotate(): void {
    const rotated = (n: number) => join(this.#o.dir, `audit.${n}.jsonl`);
    try {
      Deno.removeSync(rotated(this.#o.keep));
    } catch { /* none yet */ }
    for (let n = this.#o.keep - 1; n >= 1; n--) {
      try {
        Deno.renameSync(rotated(n), rotated(n + 1));
      } catch { /* none yet */ }
    }
    Deno.renameSync(this.file, rotated(1));
    this.#size = 0;
  }
}
