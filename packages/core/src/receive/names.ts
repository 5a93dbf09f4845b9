import { InvalidPayloadError } from '../errors/request-errors.js';
import type { ProviderEvent } from '../providers/provider.js';
import { isStorableKey, MAX_KEY_LENGTH } from '../util/keys.js';

export { MAX_KEY_LENGTH };

/**
 * The events, unless one's delivery id, name or tenant is longer than `MAX_KEY_LENGTH` or holds a
 * control character: no CRM sends such, and stores key on them (Postgres can neither index a long
 * one nor keep U+0000), so such a delivery would be retried forever.
 */
export function checkNames(events: readonly ProviderEvent[], provider: string): readonly ProviderEvent[] {
  for (const { deliveryId, name, tenant } of events) {
    if (!isStorableKey(deliveryId) || !isStorableKey(name) || (tenant !== undefined && !isStorableKey(tenant))) {
      throw new InvalidPayloadError(
        `The ${provider} body gives an event name, delivery id or tenant longer than ${MAX_KEY_LENGTH} characters or with a control ` +
          'character (U+0000 to U+001F); no CRM sends one, and no store could keep it, so the delivery was refused rather than retried forever.',
        provider,
      );
    }
  }
  return events;
}
