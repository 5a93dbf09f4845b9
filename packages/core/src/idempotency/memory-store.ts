import { ConfigurationError } from '../errors/usage-errors.js';
import type { ClaimResult, IdempotencyStore } from './store.js';

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /**
   * How long a handled id is remembered at least, in ms. Default: 24 hours, longer than
   * the CRMs' retry schedules and equal to the providers' default replay window.
   */
  readonly ttlMs?: number;
  /** Most handled ids remembered at once; the oldest half is forgotten when full. Default: 100,000. */
  readonly maxEntries?: number;
  /**
   * How long an id stays claimed while its handlers run, in ms. If handling has not
   * finished by then (a hung handler), a retry may claim it again. Default: 5 minutes.
   */
  readonly leaseMs?: number;
  /** The clock, in ms since the epoch. Default: `Date.now`. */
  readonly now?: () => number;
}

/** Handled ids of one generation, and when the newest of them expires. */
interface Generation {
  readonly ids: Set<string>;
  expiresAt: number;
}

const HOUR = 60 * 60 * 1000;
const emptyGeneration = (): Generation => ({ ids: new Set(), expiresAt: 0 });
/** One key per delivery: a provider's ids never collide with another's. */
const keyOf = (provider: string, deliveryId: string) => `${provider}\0${deliveryId}`;

/**
 * The default idempotency store: ids in this process's memory, bounded in number and
 * time. Use a shared store (`@crmhooks/redis`) when several processes receive webhooks.
 *
 * Handled ids live in two generations of at most `maxEntries / 2` (the hashlru scheme):
 * new ids go to the current one; when it is full it becomes the previous one and the
 * old previous one is dropped whole. A generation is also dropped once its newest id has
 * expired. Ids being handled are kept apart, each with the end of its lease.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly leaseMs: number;
  readonly #now: () => number;
  readonly #claims = new Map<string, number>();
  readonly #warningListeners = new Set<(message: string) => void>();
  #current = emptyGeneration();
  #previous = emptyGeneration();
  #warnedOfEarlyForgetting = false;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.maxEntries = positive(options.maxEntries ?? 100_000, 'maxEntries');
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
    if (this.maxEntries < 2) throw new ConfigurationError('MemoryIdempotencyStore({ maxEntries }) must be at least 2.');
    this.#now = options.now ?? Date.now;
  }

  /** Number of ids currently held: handled (until their generation is dropped) and claimed. */
  get size(): number {
    return this.#current.ids.size + this.#previous.ids.size + this.#claims.size;
  }

  claim(provider: string, deliveryId: string): ClaimResult {
    const now = this.#now();
    const key = keyOf(provider, deliveryId);
    this.#dropExpired(now);
    if (this.#current.ids.has(key) || this.#previous.ids.has(key)) return 'completed';
    if ((this.#claims.get(key) ?? 0) > now) return 'in_progress';
    this.#claims.set(key, now + this.leaseMs);
    return 'claimed';
  }

  complete(provider: string, deliveryId: string): void {
    const key = keyOf(provider, deliveryId);
    this.#claims.delete(key);
    const now = this.#now();
    this.#current.ids.add(key);
    this.#current.expiresAt = now + this.ttlMs;
    if (this.#current.ids.size >= this.maxEntries / 2) this.#rotate(now);
  }

  release(provider: string, deliveryId: string): void {
    this.#claims.delete(keyOf(provider, deliveryId));
  }

  onWarning(listener: (message: string) => void): void {
    this.#warningListeners.add(listener);
  }

  #rotate(now: number): void {
    if (this.#previous.expiresAt > now && !this.#warnedOfEarlyForgetting) {
      this.#warnedOfEarlyForgetting = true;
      const message =
        `MemoryIdempotencyStore forgot handled delivery ids younger than its ttlMs (${this.ttlMs / 1000} s), because ` +
        `more than ${this.maxEntries} deliveries arrived within it: a copy of a forgotten delivery would be handled again, ` +
        "and a captured one replayed within the providers' replay window would be accepted. Raise maxEntries " +
        '(about 100 bytes per id), or share a store that keeps every id for the whole window (@crmhooks/redis).';
      for (const listener of this.#warningListeners) listener(message);
    }
    this.#previous = this.#current;
    this.#current = emptyGeneration();
  }

  #dropExpired(now: number): void {
    if (this.#previous.ids.size > 0 && this.#previous.expiresAt <= now) this.#previous = emptyGeneration();
    if (this.#current.ids.size > 0 && this.#current.expiresAt <= now) this.#current = emptyGeneration();
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`MemoryIdempotencyStore({ ${name} }) must be a positive, finite number.`);
  }
  return value;
}
