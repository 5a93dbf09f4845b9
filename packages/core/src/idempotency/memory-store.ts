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
 * however full the store is; each handled id costs a table slot and its text
 * in typed arrays (see Generation), with no per-id object, string or timestamp.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly leaseMs: number;
  readonly #generationSize: number;
  readonly #claims = new ClaimLeases();
  /** Each provider's number, which generations store in place of its name. */
  readonly #providerNumbers = new Map<string, number>();
  #current: Generation;
  #previous: Generation;
  /** Clock reading of the latest claim: a completed id was claimed then or earlier. */
  #lastClaimAt = 0;
  /** The latest claimed id and its hash: completing that delivery need not hash it again. */
  #lastClaimedId: string | undefined;
  #lastClaimedHash = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.maxEntries = positive(options.maxEntries ?? 100_000, 'maxEntries');
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
    if (this.maxEntries < 2) throw new ConfigurationError('MemoryIdempotencyStore({ maxEntries }) must be at least 2.');
    this.#generationSize = Math.floor(this.maxEntries / 2);
    this.#current = new Generation();
    this.#previous = new Generation();
  }

  /** Number of ids currently held: handled (until their generation is dropped) and claimed. */
  get size(): number {
    return this.#current.size + this.#previous.size + this.#claims.size;
  }

  claim(provider: string, deliveryId: string): ClaimResult {
    const now = Date.now();
    this.#lastClaimAt = now;
    this.#dropExpired(now);
    const number = this.#providerNumber(provider);
    const hash = idHash(deliveryId);
    this.#lastClaimedId = deliveryId;
    this.#lastClaimedHash = hash;
    if (this.#current.has(number, deliveryId, hash) || this.#previous.has(number, deliveryId, hash)) return 'completed';
    return this.#claims.tryClaim(provider, deliveryId, now, now + this.leaseMs) ? 'claimed' : 'in_progress';
  }

  complete(provider: string, deliveryId: string): void {
    const wasClaimed = this.#claims.end(provider, deliveryId);
    const generation = this.#current;
    const hash = deliveryId === this.#lastClaimedId ? this.#lastClaimedHash : idHash(deliveryId);
    if (!generation.add(this.#providerNumber(provider), deliveryId, hash)) return; // handled already
    // An id claimed here was claimed at #lastClaimAt or before, so counting from then keeps it
    // at least ttlMs after its claim without reading the clock again.
    const expiresAt = (wasClaimed ? this.#lastClaimAt : Date.now()) + this.ttlMs;
    if (expiresAt > generation.expiresAt) generation.expiresAt = expiresAt;
    if (generation.size >= this.#generationSize) {
      this.#previous = generation;
      this.#current = new Generation(generation);
    }
  }

  release(provider: string, deliveryId: string): void {
    this.#claims.end(provider, deliveryId);
  }

  /** Forgets every id. */
  clear(): void {
    this.#claims.clear();
    this.#current = new Generation();
    this.#previous = new Generation();
  }

  #providerNumber(provider: string): number {
    let number = this.#providerNumbers.get(provider);
    if (number === undefined) {
      // Stored in one UTF-16 code unit; more distinct providers than that is a bug upstream.
      if (this.#providerNumbers.size === 0xffff) throw new ConfigurationError('MemoryIdempotencyStore serves at most 65,535 providers.');
      this.#providerNumbers.set(provider, (number = this.#providerNumbers.size));
    }
    return number;
  }

  #dropExpired(now: number): void {
    if (now >= this.#previous.expiresAt && this.#previous.size > 0) this.#previous = new Generation();
    if (now >= this.#current.expiresAt && this.#current.size > 0) this.#current = new Generation();
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`MemoryIdempotencyStore({ ${name} }) must be a positive, finite number.`);
  }
  return value;
}
