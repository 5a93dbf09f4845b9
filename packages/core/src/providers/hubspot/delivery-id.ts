/**
 * The delivery id of a HubSpot event: `portalId:subscriptionId:eventId:occurredAt`.
 * HubSpot does not guarantee `eventId` unique; `attemptNumber` is left out so a retry
 * repeats the id. The provider and the test helpers both use this one function.
 */
export function hubSpotDeliveryId(event: {
  readonly portalId?: unknown;
  readonly subscriptionId?: unknown;
  readonly eventId?: unknown;
  readonly occurredAt?: unknown;
}): string {
  return `${event.portalId}:${event.subscriptionId}:${event.eventId}:${event.occurredAt}`;
}
