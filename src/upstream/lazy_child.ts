/**
 * One long-lived Codex child per adapter: started on first use, forgotten
 * when it dies (or fails to start) so the next use starts a new one.
 *
 * @module
 */

/** Holds the session of the current child, if any. */
export class LazyChild<S> {
  #current: Promise<S> | undefined;
  #start: () => Promise<S>;

  constructor(start: () => Promise<S>) {
    this.#start = start;
  }

  /** The running session, starting one if needed. */
  get(): Promise<S> {
    this.#current ??= this.#start().catch((error) => {
      this.#current = undefined;
      throw error;
    });
    return this.#current;
  }

  /** Forgets `session` if it is still the current one (it died). */
  forget(session: S): void {
    const current = this.#current;
    current?.then((value) => {
      if (value === session && this.#current === current) this.#current = undefined;
    }, () => {});
  }

  /** Takes the current session away (shutdown); resolves with it, if one had started. */
  async take(): Promise<S | undefined> {
    const current = this.#current;
    this.#current = undefined;
    return await current?.catch(() => undefined);
  }
}
