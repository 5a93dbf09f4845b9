import type { HubSpotAssociationChange, HubSpotEvent } from './types.js';

/** Subscription types whose events are typed association changes. */
export type HubSpotAssociationSubscription =
  | `${'contact' | 'company' | 'deal' | 'ticket' | 'line_item'}.associationChange`
  | 'object.associationChange';

/**
 * HubSpot event names (namespaced `hubspot.`) and their payloads: association
 * changes fully typed; any other subscription type under its own name.
 */
export type HubSpotEventMap = {
  readonly [name: `hubspot.${string}.${string}`]: HubSpotEvent;
} & { readonly [K in HubSpotAssociationSubscription as `hubspot.${K}`]: HubSpotAssociationChange<K> };
