import { ConfigurationError } from '../errors/usage-errors.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { WebhookProvider } from '../providers/provider.js';

/** The store, if it can keep a claim alive; a store written before leases were renewed cannot. */
export function validateStore(store: IdempotencyStore): IdempotencyStore {
  if (typeof store.renew !== 'function' || !(store.leaseMs > 0)) {
    throw new ConfigurationError(
      'createWebhooks({ store }) needs a store with leaseMs and renew(): a claim is a lease the receiver renews while ' +
        "handlers run, so a crashed receiver's claims lapse within leaseMs. Implement both (see IdempotencyStore).",
    );
  }
  return store;
}

/** The providers, at least one and each once. */
export function validateProviders(providers: readonly WebhookProvider[] | undefined): readonly WebhookProvider[] {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new ConfigurationError('createWebhooks({ providers }) needs at least one provider, e.g. superoffice({ secret }).');
  }
  const names = new Set<string>();
  for (const provider of providers) {
    if (names.has(provider.name)) {
      throw new ConfigurationError(
        `Provider "${provider.name}" is configured twice; pass several secrets or keys to one provider instead.`,
      );
    }
    names.add(provider.name);
  }
  return [...providers];
}

/** A positive number of milliseconds, or a ConfigurationError naming the option. */
export function positiveMs(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`createWebhooks({ ${name} }) must be a positive number of milliseconds.`);
  return value;
}
