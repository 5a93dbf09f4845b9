export { superoffice, type SuperOfficeOptions, type SuperOfficeProvider } from './provider.js';
export type { SuperOfficeEventMap, SuperOfficeOtherEventName } from './event-map.js';
export type { SuperOfficeAssociationEvent } from './association.js';
export type * from './types.js';
