import { ConfigurationError } from '../errors/usage-errors.js';
import { ClaimLeases } from './claim-leases.js';
import { Generation, idHash } from './generation.js';
import type { ClaimResult, IdempotencyStore } from './store.js';

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /**
   * How long a handled id is remembered at least, in ms, counted from its claim. Default: 24 hours,
   * longer than HighLevel's and SuperOffice's retry schedules.
   */
  readonly ttlMs?: number;
  /**
   * Most handled ids remembered at once; the oldest are forgotten first, so memory
   * stays bounded. Default: 100,000.
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
 * Ids being handled are held apart with their lease (see ClaimLeases); they
 * leave within the request, so they never burden the garbage collector. Handled
 * ids live in two generations of at most `maxEntries / 2` each (the scheme of
 * hashlru and quick-lru): new ids go to the current one; when it is full it
 * becomes the previous one and the old previous one is dropped whole. A
 * generation is also dropped once its newest id has expired. Eviction is O(1)
 * however full the store is; each handled id costs one map entry and one filter
 * bit (see Generation), with no per-id object or timestamp.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly leaseMs: number;
  readonly #generationSize: number;
  readonly #claims = new ClaimLeases();
  #current: Generation;
  #previous: Generation;
  /** Clock reading of the latest claim: a completed id was claimed then or earlier. */
  #lastClaimAt = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.maxEntries = positive(options.maxEntries ?? 100_000, 'maxEntries');
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
    if (this.maxEntries < 2) throw new ConfigurationError('MemoryIdempotencyStore({ maxEntries }) must be at least 2.');
    this.#generationSize = Math.floor(this.maxEntries / 2);
    this.#current = this.#newGeneration();
    this.#previous = this.#newGeneration();
  }

  /** Number of ids currently held: handled (until their generation is dropped) and claimed. */
  get size(): number {
    return this.#current.size + this.#previous.size + this.#claims.size;
  }

  claim(provider: string, deliveryId: string): ClaimResult {
    const now = Date.now();
    this.#lastClaimAt = now;
    this.#dropExpired(now);
    const hash = idHash(deliveryId);
    if (this.#current.has(provider, deliveryId, hash) || this.#previous.has(provider, deliveryId, hash)) return 'completed';
    return this.#claims.tryClaim(provider, deliveryId, now, now + this.leaseMs) ? 'claimed' : 'in_progress';
  }

  complete(provider: string, deliveryId: string): void {
    const wasClaimed = this.#claims.end(provider, deliveryId);
    const generation = this.#current;
    if (!generation.add(provider, deliveryId, idHash(deliveryId))) return; // handled already
    // An id claimed here was claimed at #lastClaimAt or before, so counting from then keeps it
    // at least ttlMs after its claim without reading the clock again.
    const expiresAt = (wasClaimed ? this.#lastClaimAt : Date.now()) + this.ttlMs;
    if (expiresAt > generation.expiresAt) generation.expiresAt = expiresAt;
    if (generation.size >= this.#generationSize) {
      this.#previous = generation;
      this.#current = this.#newGeneration();
    }
  }

  release(provider: string, deliveryId: string): void {
    this.#claims.end(provider, deliveryId);
  }

  /** Forgets every id. */
  clear(): void {
    this.#claims.clear();
    this.#current = this.#newGeneration();
    this.#previous = this.#newGeneration();
  }

  #newGeneration(): Generation {
    return new Generation(this.#generationSize);
  }

  #dropExpired(now: number): void {
    if (now >= this.#previous.expiresAt && this.#previous.size > 0) this.#previous = this.#newGeneration();
    if (now >= this.#current.expiresAt && this.#current.size > 0) this.#current = this.#newGeneration();
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`MemoryIdempotencyStore({ ${name} }) must be a positive, finite number.`);
  }
  return value;
}
