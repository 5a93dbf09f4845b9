import { randomUUID } from 'node:crypto';
import { ConfigurationError, type ClaimResult, type IdempotencyStore } from '@crmhooks/core';
import { CLAIM, COMPLETE, RELEASE } from './scripts.js';

/**
 * The one command the store uses, as node-redis (`redis` v5 and v6) clients,
 * cluster clients and pools have it.
 */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link RedisIdempotencyStore}. */
export interface RedisIdempotencyStoreOptions {
  /** A connected node-redis client. Create it with `disableOfflineQueue: true` so commands fail at once while Redis is down. */
  readonly client: RedisEvalClient;
  /** Prefix of every key, to share a Redis database with other data. Default: `crmhooks:delivery:`. */
  readonly keyPrefix?: string;
  /** How long a handled id is remembered, in ms. Default: 24 hours (longer than the CRMs' retry schedules). */
  readonly ttlMs?: number;
  /** How long a claim holds while handlers run, in ms; after that a retry may claim it (a crashed receiver). Default: 5 minutes. */
  readonly leaseMs?: number;
  /** How long one Redis call may take before it counts as a failure (the delivery is then answered 503). Default: 2 s. */
  readonly timeoutMs?: number;
}

const HOUR = 60 * 60 * 1000;

/**
 * An idempotency store on Redis, for several receivers behind a load balancer:
 * a delivery is claimed atomically (one Lua script), so exactly one receiver
 * dispatches it. When Redis is unreachable or slow, calls fail within
 * `timeoutMs` and crmhooks answers 503: the CRM retries, and nothing is
 * dispatched twice or dropped silently.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly keyPrefix: string;
  readonly ttlMs: number;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly #client: RedisEvalClient;
  /** Values of this instance's open claims, so it only ever releases its own. */
  readonly #claims = new Map<string, string>();
  readonly #instance = randomUUID();

  constructor(options: RedisIdempotencyStoreOptions) {
    if (typeof options?.client?.eval !== 'function') {
      throw new ConfigurationError('RedisIdempotencyStore needs a connected node-redis client: new RedisIdempotencyStore({ client }).');
    }
    this.#client = options.client;
    this.keyPrefix = options.keyPrefix ?? 'crmhooks:delivery:';
    this.ttlMs = positive(options.ttlMs ?? 24 * HOUR, 'ttlMs');
    this.leaseMs = positive(options.leaseMs ?? HOUR / 12, 'leaseMs');
    this.timeoutMs = positive(options.timeoutMs ?? 2000, 'timeoutMs');
  }

  async claim(provider: string, deliveryId: string): Promise<ClaimResult> {
    const key = this.#key(provider, deliveryId);
    const value = `claimed:${this.#instance}:${randomUUID()}`;
    const result = await this.#eval(CLAIM, key, [value, String(Math.ceil(this.leaseMs))]);
    if (result === 'claimed') this.#claims.set(key, value);
    if (result === 'claimed' || result === 'in_progress' || result === 'completed') return result;
    throw new Error(`unexpected answer from Redis: ${String(result)}`);
  }

  async complete(provider: string, deliveryId: string): Promise<void> {
    const key = this.#key(provider, deliveryId);
    this.#claims.delete(key);
    await this.#eval(COMPLETE, key, [String(Math.ceil(this.ttlMs))]);
  }

  async release(provider: string, deliveryId: string): Promise<void> {
    const key = this.#key(provider, deliveryId);
    const value = this.#claims.get(key);
    this.#claims.delete(key);
    if (value !== undefined) await this.#eval(RELEASE, key, [value]);
  }

  /** The Redis key of a delivery: `<keyPrefix><provider>:<deliveryId>`. */
  #key(provider: string, deliveryId: string): string {
    return `${this.keyPrefix}${provider}:${deliveryId}`;
  }

  #eval(script: string, key: string, args: string[]): Promise<unknown> {
    const call = this.#client.eval(script, { keys: [key], arguments: args });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      call.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`RedisIdempotencyStore({ ${name} }) must be a positive number of milliseconds.`);
  }
  return value;
}
