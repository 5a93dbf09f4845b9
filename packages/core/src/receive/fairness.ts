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

/** A few levels are enough to order bursts by size (BullMQ's lowest priority is 2^21). */
export const MAX_YIELD = 32;

/**
 * Which queued jobs yield, for queue hand-offs (`@crmhooks/bullmq`, `@crmhooks/pg-boss`): a
 * tenant within its rate (a token bucket per tenant) yields to nobody, so a quiet customer's
 * events start as soon as a worker is free, however many jobs a bursting one has queued; a
 * tenant over its rate yields more the larger its burst (1 + log2 of the events over, in
 * bursts), so a small burst still goes before a huge one. A queue turns the level into its own
 * priorities; a tenant's jobs keep their order while its burst grows.
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

  /** How much a tenant's next job yields: undefined (not at all) while it is within its rate, else 1 to {@link MAX_YIELD}. */
  yieldOf(tenant: string, now = Date.now()): number | undefined {
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
    return Math.min(MAX_YIELD, 1 + Math.floor(Math.log2(1 + state.over / this.#burst)));
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`fairness.${name} must be a positive number of events, got ${value}.`);
  return value;
}
