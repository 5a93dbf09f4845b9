import { ConfigurationError } from '../errors/usage-errors.js';
import type { ClaimResult, IdempotencyStore } from './store.js';

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /**
   * How long a handled id is remembered, in ms. Default: 24 hours, longer than
   * HighLevel's and SuperOffice's retry schedules.
   */
  readonly ttlMs?: number;
  /**
   * Most ids remembered at once; the oldest are forgotten first, so memory stays
   * bounded. Default: 100,000 (roughly 20 MB).
   */
  readonly maxEntries?: number;
  /**
   * How long an id stays claimed while its handlers run, in ms. If handling has
   * not finished by then (a hung handler), a retry may claim it again. Default: 5 minutes.
   */
  readonly leaseMs?: number;
}

const HOUR = 60 * 60 * 1000;

/**
 * The default idempotency store: a `Map` in this process, bounded in size and
 * time. Use a shared store instead when several processes receive webhooks.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly leaseMs: number;
  // Each value is an expiry time: positive once handled, negative while claimed
  // (a number, not an object, so the hot path allocates nothing per id).
  // A Map iterates in insertion order, so the oldest ids are first and eviction takes them in O(1).
  readonly #entries = new Map<string, number>();
  #nextSweepAt = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.maxEntries = positive(options.maxEntries ?? 100_000, 'maxEntries');
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
  }

  /** Number of ids currently remembered (claimed or handled). */
  get size(): number {
    return this.#entries.size;
  }

  claim(key: string): ClaimResult {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (Math.abs(entry) > now) return entry > 0 ? 'completed' : 'in_progress';
      this.#entries.delete(key); // Expired: re-inserted below, at the young end.
    }
    this.#entries.set(key, -(now + this.leaseMs));
    this.#evict(now);
    return 'claimed';
  }

  complete(key: string): void {
    const now = Date.now();
    const claimed = this.#entries.has(key);
    // A claimed id was inserted moments ago, so updating it in place keeps the order.
    this.#entries.set(key, now + this.ttlMs);
    if (!claimed) this.#evict(now);
  }

  release(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets every id. */
  clear(): void {
    this.#entries.clear();
  }

  #evict(now: number): void {
    if (this.#entries.size > this.maxEntries) {
      // Over the bound by one at most: drop the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    // Expired entries are dropped from the oldest end, at most once a second (or once a TTL, if shorter).
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + Math.min(1000, this.ttlMs);
    for (const [key, entry] of this.#entries) {
      if (Math.abs(entry) > now) return;
      this.#entries.delete(key);
    }
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`MemoryIdempotencyStore({ ${name} }) must be a positive, finite number.`);
  }
  return value;
}
