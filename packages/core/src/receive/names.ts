import { InvalidPayloadError } from '../errors/request-errors.js';
import type { ProviderEvent } from '../providers/provider.js';

const CONTROL_CHARACTER = /[\u0000-\u001f]/;
/** Longest delivery id, event name or indexed record id, in UTF-16 units: at most 1,500 UTF-8 bytes, inside Postgres' index entries (about 2,700). */
export const MAX_KEY_LENGTH = 500;

/**
 * The events, unless one's delivery id or name is longer than `MAX_KEY_LENGTH` or holds a control
 * character: no CRM sends such, and stores key on both (Postgres can neither index a long one nor
 * keep U+0000), so such a delivery would be retried forever.
 */
export function checkNames(events: readonly ProviderEvent[], provider: string): readonly ProviderEvent[] {
  for (const { deliveryId, name } of events) {
    if (deliveryId.length > MAX_KEY_LENGTH || name.length > MAX_KEY_LENGTH || CONTROL_CHARACTER.test(deliveryId) || CONTROL_CHARACTER.test(name)) {
      throw new InvalidPayloadError(
        `The ${provider} body gives an event name or delivery id longer than ${MAX_KEY_LENGTH} characters or with a control ` +
          'character (U+0000 to U+001F); no CRM sends one, and no store could keep it, so the delivery was refused rather than retried forever.',
        provider,
      );
    }
  }
  return events;
}
