import type { HubSpotAssociationChange, HubSpotEvent } from './types.js';

type HubSpotObject = 'contact' | 'company' | 'deal' | 'ticket' | 'line_item';

/** Subscription types whose events are typed association changes. */
export type HubSpotAssociationSubscription = `${HubSpotObject}.associationChange` | 'object.associationChange';

/**
 * HubSpot's other documented subscription types. One HubSpot adds later is declared per
 * receiver: `hubspot<'contact.newThing'>({ clientSecret })`.
 */
export type HubSpotOtherSubscription =
  | `${HubSpotObject | 'product' | 'object'}.${'creation' | 'deletion' | 'propertyChange' | 'restore' | 'merge'}`
  | `contact.privacyDeletion`
  | `conversation.${'creation' | 'deletion' | 'privacyDeletion' | 'propertyChange' | 'newMessage'}`;

/**
 * HubSpot event names (namespaced `hubspot.`) and their payloads: association changes fully
 * typed, other subscription types (and `Extra`, the names this receiver declares) loosely.
 * The set is closed, so a misspelled name does not compile.
 */
export type HubSpotEventMap<Extra extends string = never> = {
  readonly [K in HubSpotAssociationSubscription as `hubspot.${K}`]: HubSpotAssociationChange<K>;
} & { readonly [K in HubSpotOtherSubscription | Extra as `hubspot.${K}`]: HubSpotEvent };
