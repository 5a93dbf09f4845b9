import { randomUUID } from 'node:crypto';
import { ConfigurationError, DEFAULT_LEASE_MS, Warnings, type ClaimOptions, type ClaimResult, type IdempotencyStore } from '@crmhooks/core';
import { PersistenceCheck } from './persistence.js';

/**
 * The commands the store sends, as node-redis (`redis` v5 and v6) clients, cluster
 * clients and pools have them. Typed structurally, so any of those fits.
 */
export interface RedisStoreClient {
  set(key: string, value: string, options: RedisSetOptions): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** For the persistence check (`INFO persistence`); a client without it is said once and trusted. */
  info?(section: string): Promise<string>;
  /** node-redis: false until connected; the persistence check then waits for the first claim. */
  readonly isReady?: boolean;
}

/** The SET options the store uses (node-redis 5+ spelling). */
export interface RedisSetOptions {
  readonly expiration: { readonly type: 'PX'; readonly value: number };
  readonly condition?: 'NX';
  readonly GET?: true;
}

/** Options of {@link RedisIdempotencyStore}. */
export interface RedisIdempotencyStoreOptions {
  /** A connected node-redis client, with an `'error'` listener (see the README for a production setup). */
  readonly client: RedisStoreClient;
  /** Prefix of every key, to share a Redis database with other data. Default: `crmhooks:delivery:`. */
  readonly keyPrefix?: string;
  /** How long a handled id is remembered, in ms. Default: 24 hours (the CRMs' retries and the replay window). */
  readonly ttlMs?: number;
  /**
   * How long a claim holds unless the receiver renews it (every `leaseMs / 3` while handlers
   * run). A crashed receiver's claims lapse within it, so the CRM's next retry is handled. Default: 3 s.
   */
  readonly leaseMs?: number;
  /**
   * Refuse to work unless Redis keeps an append-only file: `ready()` and every claim reject
   * (deliveries are answered so that the CRM retries). Default: false, a warning is logged once.
   */
  readonly requirePersistence?: boolean;
}

const HOUR = 60 * 60 * 1000;

/** Deletes a claim only if it is still this one: its lease may have passed to another receiver. */
const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/** A replay's claim: takes a handled or unknown id, never one another claim holds; answers that claim, or nil. */
const REPLAY_CLAIM_SCRIPT =
  "local v = redis.call('GET', KEYS[1]) if v and v ~= 'completed' then return v end redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return false";
/** Extends a claim only if it is still this one. */
const RENEW_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

/**
 * An idempotency store on Redis (7.0 or newer), for several receivers behind a load
 * balancer. A claim is one atomic command, `SET key claimed:<token> NX PX lease GET`:
 * exactly one receiver sets it, the others read what is there (`completed`, or
 * another's claim). Completing is `SET key completed PX ttl`. The receiver bounds every
 * call with its `storeTimeoutMs` (answering 503 so the CRM retries), and releases a
 * claim that Redis carries out after that answer (a queued command replayed on reconnect).
 *
 * A claim is a lease of `leaseMs` (3 s) that the receiver renews while handlers run, so a
 * receiver that dies, or a claim whose reply was lost, blocks the CRM's retries for 3 s at most.
 * Handled ids are only as durable as Redis: the store checks once that Redis keeps an
 * append-only file, and warns (or, with `requirePersistence`, refuses) when it does not.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly keyPrefix: string;
  readonly ttlMs: number;
  readonly leaseMs: number;
  /** `leaseMs` as the scripts take it, in whole ms. */
  readonly #leaseArgument: string;
  readonly #client: RedisStoreClient;
  /** Values of this instance's open claims, so it only ever releases its own. */
  readonly #claims = new Map<string, string>();
  readonly #instance = randomUUID();
  readonly #warnings = new Warnings();
  readonly #persistence: PersistenceCheck;
  readonly #requirePersistence: boolean;

  constructor(options: RedisIdempotencyStoreOptions) {
    if (typeof options?.client?.set !== 'function' || typeof options.client.eval !== 'function') {
      throw new ConfigurationError(
        'RedisIdempotencyStore needs a connected node-redis client: new RedisIdempotencyStore({ client }), ' +
          "with client = createClient({ url }) from 'redis' (v5 or v6).",
      );
    }
    this.#client = options.client;
    this.keyPrefix = options.keyPrefix ?? 'crmhooks:delivery:';
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.leaseMs = positive(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
    this.#leaseArgument = String(Math.ceil(this.leaseMs));
    this.#requirePersistence = options.requirePersistence ?? false;
    const client = this.#client;
    const readInfo = () => (client.info ? client.info('persistence') : Promise.reject(new Error('the client has no info()')));
    this.#persistence = new PersistenceCheck(
      readInfo,
      {
        name: 'RedisIdempotencyStore',
        atRisk: 'the ids of handled deliveries recorded',
        consequence: 'copies of those deliveries that the CRMs send later are handled again',
        required: this.#requirePersistence,
      },
      this.#warnings,
    );
    // Checked at once when the client is connected (the usual set-up), else on the first claim.
    if (client.isReady !== false) this.ready().catch(() => undefined);
  }

  /**
   * Resolves once Redis's persistence has been checked (a warning is logged if it keeps no
   * append-only file). With `requirePersistence`, rejects instead: await it at start-up to
   * refuse to start.
   */
  ready(): Promise<void> {
    return this.#persistence.run();
  }

  onWarning(listener: (message: string) => void): void {
    this.#warnings.listen(listener);
  }

  async claim(provider: string, deliveryId: string, options?: ClaimOptions): Promise<ClaimResult> {
    const checked = this.ready();
    if (this.#requirePersistence) await checked;
    else checked.catch(() => undefined);
    const key = this.#key(provider, deliveryId);
    const value = `claimed:${this.#instance}:${randomUUID()}`;
    let previous: unknown;
    try {
      previous = options?.replay
        ? await this.#client.eval(REPLAY_CLAIM_SCRIPT, { keys: [key], arguments: [value, this.#leaseArgument] })
        : await this.#client.set(key, value, {
            condition: 'NX',
            expiration: { type: 'PX', value: Math.ceil(this.leaseMs) },
            GET: true,
          });
    } catch (error) {
      if (/syntax error/i.test(String(error))) {
        throw new Error('Redis refused SET with both NX and GET: RedisIdempotencyStore needs Redis 7.0 or newer.', { cause: error });
      }
      throw error;
    }
    if (previous === null) {
      this.#claims.set(key, value);
      return 'claimed';
    }
    return previous === 'completed' ? 'completed' : 'in_progress';
  }

  async renew(provider: string, deliveryId: string): Promise<boolean> {
    const key = this.#key(provider, deliveryId);
    const value = this.#claims.get(key);
    if (value === undefined) return false;
    return (await this.#client.eval(RENEW_SCRIPT, { keys: [key], arguments: [value, this.#leaseArgument] })) === 1;
  }

  async complete(provider: string, deliveryId: string): Promise<void> {
    const key = this.#key(provider, deliveryId);
    this.#claims.delete(key);
    await this.#client.set(key, 'completed', { expiration: { type: 'PX', value: Math.ceil(this.ttlMs) } });
  }

  async release(provider: string, deliveryId: string): Promise<void> {
    const key = this.#key(provider, deliveryId);
    const value = this.#claims.get(key);
    this.#claims.delete(key);
    // Only after a failure: the script's text costs nothing on the delivery path.
    if (value !== undefined) await this.#client.eval(RELEASE_SCRIPT, { keys: [key], arguments: [value] });
  }

  /** The Redis key of a delivery: `<keyPrefix><provider>:<deliveryId>`. */
  #key(provider: string, deliveryId: string): string {
    return `${this.keyPrefix}${provider}:${deliveryId}`;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`RedisIdempotencyStore({ ${name} }) must be a positive number of milliseconds.`);
  }
  return value;
}
