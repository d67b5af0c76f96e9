/**
 * A map with a size cap and a time-to-live, shared by the job and thread
 * registries. Expiry is checked lazily on access (no timers to leak), and
 * eviction drops the oldest unpinned entries first — a pinned entry (a
 * running job, a thread with a running job) is never dropped.
 *
 * @module
 */

/** Options for {@linkcode BoundedStore}. */
export interface BoundedStoreOptions<T> {
  /** Most entries kept. @default 1000 */
  maxEntries?: number;
  /** How long an unpinned entry lives after `touchedAt`. @default 6 hours */
  ttlMs?: number;
  /** Entries that must never be evicted or expire. */
  isPinned: (value: T) => boolean;
  /** When an entry was last active, in ms since the epoch. */
  touchedAt: (value: T) => number;
  /** Told of every entry dropped by expiry or eviction (e.g. to delete its stored copy). */
  onDrop?: (value: T) => void;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

/** Thrown by `set` when every entry is pinned and the store is full. */
export class StoreFullError extends Error {
  override name = "StoreFullError";
}

/** A capped, expiring map. Iteration order is insertion order. */
export class BoundedStore<T> {
  readonly maxEntries: number;
  readonly ttlMs: number;
  #entries = new Map<string, T>();
  #options: BoundedStoreOptions<T>;
  #now: () => number;

  constructor(options: BoundedStoreOptions<T>) {
    this.#options = options;
    this.maxEntries = options.maxEntries ?? 1000;
    this.ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Number of entries (after dropping expired ones). */
  get size(): number {
    this.#expire();
    return this.#entries.size;
  }

  /** The entry, unless missing or expired. */
  get(key: string): T | undefined {
    this.#expire();
    return this.#entries.get(key);
  }

  /** Adds an entry, evicting the oldest unpinned ones to stay within the cap. */
  set(key: string, value: T): void {
    this.#expire();
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) this.#evictOne();
    this.#entries.set(key, value);
  }

  /** Every live entry. */
  values(): T[] {
    this.#expire();
    return [...this.#entries.values()];
  }

  #expire(): void {
    const cutoff = this.#now() - this.ttlMs;
    for (const [key, value] of this.#entries) {
      if (!this.#options.isPinned(value) && this.#options.touchedAt(value) < cutoff) this.#drop(key, value);
    }
  }

  #evictOne(): void {
    let oldest: [string, number] | undefined;
    for (const [key, value] of this.#entries) {
      if (this.#options.isPinned(value)) continue;
      const at = this.#options.touchedAt(value);
      if (!oldest || at < oldest[1]) oldest = [key, at];
    }
    if (!oldest) throw new StoreFullError(`All ${this.maxEntries} entries are in use`);
    this.#drop(oldest[0], this.#entries.get(oldest[0])!);
  }

  #drop(key: string, value: T): void {
    this.#entries.delete(key);
    this.#options.onDrop?.(value);
  }
}
