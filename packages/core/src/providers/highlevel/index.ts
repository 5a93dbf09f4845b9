export { highlevel, type HighLevelOptions, type HighLevelProvider } from './provider.js';
export type { HighLevelEventMap, HighLevelLinkEventName, HighLevelOtherEventName } from './event-map.js';
export type { HighLevelAssociationEvent } from './association.js';
export { HIGHLEVEL_ED25519_PUBLIC_KEY, HIGHLEVEL_LEGACY_RSA_PUBLIC_KEY } from './published-keys.js';
export type * from './types.js';
