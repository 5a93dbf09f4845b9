export { hubspot, type HubSpotOptions, type HubSpotProvider } from './provider.js';
export type { HubSpotEventMap, HubSpotAssociationSubscription, HubSpotOtherSubscription } from './event-map.js';
export type { HubSpotAssociationEvent } from './association.js';
export type * from './types.js';
