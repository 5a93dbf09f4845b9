import { LRUCache } from 'lru-cache';
import { SecretLookupError } from '../errors/delivery-errors.js';
import { UnknownTenantError } from '../errors/request-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import { ConfigurationError } from '../errors/usage-errors.js';
import { isStorableKey } from '../util/keys.js';
import { prepareSecrets, type HmacSecret, type SecretInput } from './secrets.js';

/**
 * A tenant's secrets, looked up when its delivery arrives: the secret (or, while rotating, the
 * secrets) stored for that customer; `undefined`, `null` or an empty array for a tenant you do not
 * know. May return a promise (a database read); throwing or rejecting answers the delivery so
 * that the CRM retries.
 */
export type SecretLookup = (tenant: string) => SecretInput | undefined | null | Promise<SecretInput | undefined | null>;

/** How looked-up secrets are cached. */
export interface SecretCacheOptions {
  /** Most tenants kept; the least recently used go first. Default: 10,000. */
  readonly max?: number;
  /** How long a lookup's answer (an unknown tenant's too) is kept, in ms. Default: 5 minutes. */
  readonly ttlMs?: number;
}

/** A provider's secret option: one secret, several while rotating, or a lookup by tenant. */
export type TenantSecretInput = SecretInput | SecretLookup;

/** Shortest time between two lookups of one tenant when its cached secrets fail to verify. */
const REFRESH_AFTER_MS = 1_000;

interface CachedSecrets {
  /** Undefined: the lookup knows no such tenant. */
  readonly secrets: readonly HmacSecret[] | undefined;
  readonly fetchedAt: number;
}

/**
 * Secrets looked up per tenant, cached with a bound and a TTL (lru-cache): a flood of deliveries
 * naming made-up tenants keeps memory bounded, asks the lookup once per tenant per TTL, and
 * concurrent deliveries of one tenant share one lookup. A delivery its tenant's cached secrets
 * do not verify looks them up again (at most once a second per tenant), so a secret rotated in
 * the vendor's database is picked up at once.
 */
export class TenantSecrets {
  readonly #cache: LRUCache<string, CachedSecrets>;

  constructor(
    lookup: SecretLookup,
    /** The option as users write it, e.g. `superoffice({ secret })`: error messages name it. */
    readonly option: string,
    private readonly provider: string,
    secretName: string,
    cache: SecretCacheOptions = {},
  ) {
    const max = cache.max ?? 10_000;
    const ttl = cache.ttlMs ?? 5 * 60_000;
    if (!Number.isSafeInteger(max) || max <= 0) throw new ConfigurationError(`${option}'s secretCache.max must be a positive whole number.`);
    if (!Number.isFinite(ttl) || ttl <= 0) throw new ConfigurationError(`${option}'s secretCache.ttlMs must be a positive number of milliseconds.`);
    this.#cache = new LRUCache<string, CachedSecrets>({
      max,
      ttl,
      fetchMethod: async (tenant) => {
        const found = await lookup(tenant);
        // No row (a query's empty result) is an unknown tenant, not a broken one.
        const list: readonly unknown[] = found === undefined || found === null ? [] : Array.isArray(found) ? found : [found];
        const bad = list.find((secret) => typeof secret !== 'string' || secret === '');
        if (bad !== undefined) {
          const what = bad === '' ? 'an empty secret' : `a ${typeof bad} instead of a secret`;
          throw new Error(`it returned ${what}: return the secret set on that tenant's webhook, or undefined for a tenant you do not know`);
        }
        const secrets = list.length === 0 ? undefined : prepareSecrets(list as string[], option, secretName);
        return { secrets, fetchedAt: Date.now() };
      },
    });
  }

  /**
   * Runs `verify` with the tenant's secrets; it throws a 401 `WebhookError` when none matches.
   * Rejects with `UnknownTenantError` for a tenant the lookup does not know, and with
   * `SecretLookupError` (retryable) when the lookup fails.
   */
  async verify(tenant: string, verify: (secrets: readonly HmacSecret[]) => void): Promise<void> {
    // No CRM names such a tenant: refused before the lookup ever sees it.
    if (!isStorableKey(tenant)) throw this.#unknown(`${JSON.stringify(tenant.slice(0, 40)).slice(1, -1)}...`); // shown escaped
    let cached = await this.#secretsOf(tenant, false);
    if (Date.now() - cached.fetchedAt >= REFRESH_AFTER_MS) {
      try {
        return this.#check(tenant, cached, verify);
      } catch (error) {
        if (!(error instanceof WebhookError && error.status === 401)) throw error;
      }
      // Maybe rotated since it was cached: look once more.
      cached = await this.#secretsOf(tenant, true);
    }
    this.#check(tenant, cached, verify);
  }

  #check(tenant: string, cached: CachedSecrets, verify: (secrets: readonly HmacSecret[]) => void): void {
    if (cached.secrets === undefined) throw this.#unknown(tenant);
    verify(cached.secrets);
  }

  #unknown(tenant: string): UnknownTenantError {
    return new UnknownTenantError(
      `The delivery is for tenant "${tenant}", which the secret lookup ${this.option} does not know (it returned no secret). ` +
        'If this is a new customer, store its secret where the lookup reads it; otherwise the delivery is not for this app.',
      this.provider,
      tenant,
    );
  }

  async #secretsOf(tenant: string, refresh: boolean): Promise<CachedSecrets> {
    try {
      const cached = await this.#cache.fetch(tenant, { forceRefresh: refresh });
      // fetch resolves undefined only when the lookup was aborted, which this cache never does.
      if (cached === undefined) throw new Error('the lookup gave no answer');
      return cached;
    } catch (cause) {
      throw new SecretLookupError(this.provider, tenant, this.option, cause);
    }
  }
}

/** Whether a secret option is a lookup by tenant. */
export function isSecretLookup(input: TenantSecretInput | undefined): input is SecretLookup {
  return typeof input === 'function';
}

/** How a provider checks a delivery against secrets, and where a lookup by tenant finds its tenant. */
export interface SecretChecks<TRequest> {
  /** Throws a 401 unless the request matches one of `secrets` (`tenant`: whose they are, for the message). */
  check(request: TRequest, secrets: readonly HmacSecret[], tenant?: string): void;
  /** Throws a 401 when the request carries no signature or key at all: such a request never reaches the lookup. */
  present(request: TRequest): unknown;
  /** The tenant the request claims (the path's, else its body's), whose secrets verify it. */
  tenantOf(request: TRequest): string;
}

/**
 * The verification of a provider whose secret option (`names.option`, e.g. `attio({ secret })`)
 * is one secret, several while rotating, or a lookup by tenant (cached, see {@link TenantSecrets}).
 */
export function secretVerifier<TRequest>(
  input: TenantSecretInput | undefined,
  names: { readonly option: string; readonly provider: string; readonly secretName: string },
  cache: SecretCacheOptions | undefined,
  checks: SecretChecks<TRequest>,
): (request: TRequest) => void | Promise<void> {
  if (!isSecretLookup(input)) {
    const secrets = prepareSecrets(input, names.option, names.secretName);
    return (request) => checks.check(request, secrets);
  }
  const byTenant = new TenantSecrets(input, names.option, names.provider, names.secretName, cache);
  return (request) => {
    checks.present(request);
    const tenant = checks.tenantOf(request);
    return byTenant.verify(tenant, (secrets) => checks.check(request, secrets, tenant));
  };
}
