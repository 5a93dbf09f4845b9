import { TenantMismatchError } from '../errors/request-errors.js';
import type { ProviderEvent } from '../providers/provider.js';

/**
 * The events, once each belongs to the tenant the path named (when it named one): a body signed
 * for one customer is never accepted at another's address, whichever secret signed it.
 */
export function bindTenant(events: readonly ProviderEvent[], pathTenant: string | undefined, provider: string): readonly ProviderEvent[] {
  if (pathTenant === undefined) return events;
  const stranger = events.find((event) => event.tenant !== pathTenant);
  if (stranger !== undefined) throw new TenantMismatchError(provider, pathTenant, stranger.tenant);
  return events;
}
