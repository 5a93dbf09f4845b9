export { dataverse, type DataverseOptions, type DataverseProvider } from './provider.js';
export type { DataverseEventMap, DataverseOtherMessage } from './event-map.js';
export type { DataverseAssociationEvent } from './association.js';
export type * from './types.js';
