import { randomUUID } from 'node:crypto';
import { ConfigurationError, type ClaimResult, type IdempotencyStore } from '@crmhooks/core';

/**
 * The commands the store sends, as node-redis (`redis` v5 and v6) clients, cluster
 * clients and pools have them. Typed structurally, so any of those fits.
 */
export interface RedisStoreClient {
  set(key: string, value: string, options: RedisSetOptions): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
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
  /** How long a claim holds while handlers run, in ms; after that a retry may claim it (a crashed receiver). Default: 5 minutes. */
  readonly leaseMs?: number;
}

const HOUR = 60 * 60 * 1000;

/** Deletes a claim only if it is still this one: its lease may have passed to another receiver. */
const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * An idempotency store on Redis (7.0 or newer), for several receivers behind a load
 * balancer. A claim is one atomic command, `SET key claimed:<token> NX PX lease GET`:
 * exactly one receiver sets it, the others read what is there (`completed`, or
 * another's claim). Completing is `SET key completed PX ttl`. The receiver bounds every
 * call with its `storeTimeoutMs` (answering 503 so the CRM retries), and releases a
 * claim that Redis carries out after that answer (a queued command replayed on reconnect).
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly keyPrefix: string;
  readonly ttlMs: number;
  readonly leaseMs: number;
  readonly #client: RedisStoreClient;
  /** Values of this instance's open claims, so it only ever releases its own. */
  readonly #claims = new Map<string, string>();
  readonly #instance = randomUUID();

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
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
  }

  async claim(provider: string, deliveryId: string): Promise<ClaimResult> {
    const key = this.#key(provider, deliveryId);
    const value = `claimed:${this.#instance}:${randomUUID()}`;
    let previous: unknown;
    try {
      previous = await this.#client.set(key, value, {
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
