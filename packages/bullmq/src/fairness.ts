import { LRUCache } from 'lru-cache';

/** How much each customer may send before its jobs yield to other customers'. */
export interface FairnessOptions {
  /** A tenant's steady rate that never yields, in events per second (per receiver). Default: 20. */
  readonly eventsPerSecond?: number;
  /** How many events above that rate a tenant may send at once before they yield. Default: 50. */
  readonly burst?: number;
  /** Tenants followed at once (the least recent are forgotten). Default: 10,000. */
  readonly maxTenants?: number;
}

/** BullMQ's lowest priority is 2^21; a few levels are enough to order bursts by size. */
const MAX_PRIORITY = 32;

/**
 * Which jobs yield. BullMQ's workers take jobs without a priority first, then prioritized ones,
 * lowest number first and in order within one number. So a tenant within its rate (a token
 * bucket per tenant) gets no priority, and a quiet customer's events start as soon as a worker
 * is free, however many jobs a bursting one has queued; a tenant over its rate gets a priority
 * that grows with the size of its burst (1 + log2 of the events over, in bursts), so a small
 * burst still goes before a huge one. A tenant's jobs keep their order while its burst grows.
 */
export class TenantFairness {
  readonly #rate: number;
  readonly #burst: number;
  readonly #tenants: LRUCache<string, { tokens: number; over: number; at: number }>;

  constructor(options: FairnessOptions = {}) {
    this.#rate = positive(options.eventsPerSecond ?? 20, 'eventsPerSecond');
    this.#burst = positive(options.burst ?? 50, 'burst');
    this.#tenants = new LRUCache({ max: Math.floor(positive(options.maxTenants ?? 10_000, 'maxTenants')) });
  }

  /** The BullMQ priority of a tenant's next job: undefined (none) while it is within its rate. */
  priorityOf(tenant: string, now = Date.now()): number | undefined {
    const state = this.#tenants.get(tenant) ?? { tokens: this.#burst, over: 0, at: now };
    const refill = ((now - state.at) / 1000) * this.#rate;
    state.at = now;
    // What the tenant sent over its rate drains as the rate allows; then its bucket refills.
    const drained = Math.min(state.over, refill);
    state.over -= drained;
    state.tokens = Math.min(this.#burst, state.tokens + refill - drained);
    this.#tenants.set(tenant, state);
    if (state.over === 0 && state.tokens >= 1) {
      state.tokens -= 1;
      return undefined;
    }
    state.over += 1;
    return Math.min(MAX_PRIORITY, 1 + Math.floor(Math.log2(1 + state.over / this.#burst)));
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`fairness.${name} must be a positive number of events, got ${value}.`);
  return value;
}
