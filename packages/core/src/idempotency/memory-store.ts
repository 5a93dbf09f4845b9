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
   * bounded. Default: 100,000.
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
 * The default idempotency store: ids in this process's memory, bounded in
 * number and time. Use a shared store instead when several processes receive webhooks.
 *
 * Ids live in two generations of at most `maxEntries / 2` each (the scheme of
 * hashlru and quick-lru): new ids go to the current one; when it is full it
 * becomes the previous one and the old previous one is dropped whole. Eviction
 * is O(1) however full the store is, with no per-entry bookkeeping.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly leaseMs: number;
  readonly #generationSize: number;
  // Each value is an expiry time: positive once handled, negative while claimed
  // (a number, not an object, so the hot path allocates nothing per id).
  #current = new Map<string, number>();
  #previous = new Map<string, number>();
  // Latest expiry in each generation: once passed, the whole generation is dead.
  #currentExpiry = 0;
  #previousExpiry = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.maxEntries = positive(options.maxEntries ?? 100_000, 'maxEntries');
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
    if (this.maxEntries < 2) throw new ConfigurationError('MemoryIdempotencyStore({ maxEntries }) must be at least 2.');
    this.#generationSize = Math.floor(this.maxEntries / 2);
  }

  /** Number of ids currently held (claimed or handled; expired ones until their generation is dropped). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  claim(key: string): ClaimResult {
    const now = Date.now();
    this.#dropExpired(now);
    const entry = this.#current.get(key) ?? this.#previous.get(key);
    if (entry !== undefined && Math.abs(entry) > now) return entry > 0 ? 'completed' : 'in_progress';
    this.#set(key, now + this.leaseMs, -1);
    return 'claimed';
  }

  complete(key: string): void {
    this.#set(key, Date.now() + this.ttlMs, 1);
  }

  release(key: string): void {
    this.#current.delete(key);
    this.#previous.delete(key);
  }

  /** Forgets every id. */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }

  #set(key: string, expiresAt: number, sign: 1 | -1): void {
    // An older copy in the previous generation is shadowed (lookups try the current one first).
    this.#current.set(key, sign * expiresAt);
    if (expiresAt > this.#currentExpiry) this.#currentExpiry = expiresAt;
    if (this.#current.size >= this.#generationSize) {
      this.#previous = this.#current;
      this.#previousExpiry = this.#currentExpiry;
      this.#current = new Map();
      this.#currentExpiry = 0;
    }
  }

  #dropExpired(now: number): void {
    if (now >= this.#previousExpiry && this.#previous.size > 0) this.#previous = new Map();
    if (now >= this.#currentExpiry && this.#current.size > 0) this.#current = new Map();
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`MemoryIdempotencyStore({ ${name} }) must be a positive, finite number.`);
  }
  return value;
}
