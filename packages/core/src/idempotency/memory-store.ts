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

interface Entry {
  completed: boolean;
  expiresAt: number;
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
  // A Map iterates in insertion order; entries are re-inserted on every change,
  // so the first entries are the oldest, which makes eviction O(1).
  readonly #entries = new Map<string, Entry>();

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
    if (entry !== undefined && entry.expiresAt > now) return entry.completed ? 'completed' : 'in_progress';
    this.#set(key, { completed: false, expiresAt: now + this.leaseMs }, now);
    return 'claimed';
  }

  complete(key: string): void {
    const now = Date.now();
    this.#set(key, { completed: true, expiresAt: now + this.ttlMs }, now);
  }

  release(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets every id. */
  clear(): void {
    this.#entries.clear();
  }

  #set(key: string, entry: Entry, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#evict(now);
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      // Stop at the first entry that is both live and within the size bound.
      if (this.#entries.size <= this.maxEntries && entry.expiresAt > now) return;
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
