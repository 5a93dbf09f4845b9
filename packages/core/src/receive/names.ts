import type { ProviderEvent } from '../providers/provider.js';
import { isStorableKey, MAX_KEY_LENGTH } from '../util/keys.js';

export { MAX_KEY_LENGTH };

/**
 * Whether every store can key the event: its delivery id, name and tenant are not longer than
 * `MAX_KEY_LENGTH` and hold no control character. No CRM sends other; a signed event that does
 * is parked (see `parkUnprocessable`), since every retry would carry the same.
 */
export function isStorableEvent(event: Pick<ProviderEvent, 'deliveryId' | 'name' | 'tenant'>): boolean {
  return isStorableKey(event.deliveryId) && isStorableKey(event.name) && (event.tenant === undefined || isStorableKey(event.tenant));
}
