import { contentId } from '../shared/content-id.js';

/** A field that names an event exactly: a non-empty string, or an integer JSON.parse kept exact. */
const isExact = (value: unknown) => (typeof value === 'string' ? value.length > 0 : Number.isSafeInteger(value));

/** `attemptNumber` is all that changes when HubSpot retries an event. */
const ATTEMPT_NUMBER = /"attemptNumber"\s*:\s*-?[\d.eE+-]+/g;

/**
 * The delivery id of a HubSpot event: `portalId:subscriptionId:eventId:occurredAt`. HubSpot
 * does not guarantee `eventId` unique; `attemptNumber` is left out so a retry repeats the id.
 *
 * An event that lacks one of those fields, or carries an integer past 2^53 (which JSON.parse
 * rounds, so 2^53 and 2^53 + 1 would share an id), is named by its own signed text instead,
 * `attemptNumber` left out: distinct events get distinct ids, copies of one event the same.
 * `itemText` gives that text; it is called only then. The provider and the test helpers
 * both use this one function.
 */
export function hubSpotDeliveryId(
  event: { readonly portalId?: unknown; readonly subscriptionId?: unknown; readonly eventId?: unknown; readonly occurredAt?: unknown },
  itemText: () => string,
): string {
  const { portalId, subscriptionId, eventId, occurredAt } = event;
  if (isExact(portalId) && isExact(subscriptionId) && isExact(eventId) && isExact(occurredAt)) {
    return `${portalId}:${subscriptionId}:${eventId}:${occurredAt}`;
  }
  return contentId(itemText().replace(ATTEMPT_NUMBER, '"attemptNumber":0'));
}
