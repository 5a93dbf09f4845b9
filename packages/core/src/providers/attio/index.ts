export { attio, type AttioOptions, type AttioProvider } from './provider.js';
export type { AttioEventMap, AttioRecordEventType, AttioOtherEventType } from './event-map.js';
export type { AttioAssociationEvent } from './association.js';
export type * from './types.js';
