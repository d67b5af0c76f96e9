/**
 * The last lines a Codex child wrote on stderr, for error messages. Bounded in
 * lines and line length, so a child flooding stderr cannot grow memory.
 *
 * @module
 */

/** Options for {@linkcode StderrTail}. */
export interface StderrTailOptions {
  /** Lines kept. @default 20 */
  maxLines?: number;
  /** Called for each complete line (e.g. a debug log). */
  onLine?: (line: string) => void;
}

/** Collects stderr chunks into a bounded list of recent lines. */
export class StderrTail {
  readonly lines: string[] = [];
  #partial = "";
  #maxLines: number;
  #onLine?: (line: string) => void;

  constructor(options: StderrTailOptions = {}) {
    this.#maxLines = options.maxLines ?? 20;
    this.#onLine = options.onLine;
  }

  /** The most recent line, if any. */
  get last(): string | undefined {
    return this.lines.at(-1);
  }

  /** Adds a chunk of output. */
  push(chunk: string): void {
    const parts = (this.#partial + chunk).split("\n");
    this.#partial = parts.pop()!.slice(-4096);
    for (const raw of parts) {
      if (raw.trim() === "") continue;
      const line = raw.slice(0, 500);
      this.#onLine?.(line);
      this.lines.push(line);
      if (this.lines.length > this.#maxLines) this.lines.shift();
    }
  }
}
