import type {
  SuperOfficeEvent,
  SuperOfficeRelationChanged,
  SuperOfficeRelationCreated,
  SuperOfficeRelationDeleted,
  SuperOfficeTestEvent,
} from './types.js';

type Crud = 'created' | 'changed' | 'deleted';

/** SuperOffice's documented event names besides `relation.*` (listed for autocompletion). */
export type SuperOfficeOtherEventName =
  | `${'activity' | 'associate' | 'project' | 'projectmember' | 'salestakeholder'}.${Crud}`
  | `contact.${Crud | 'softdeleted'}`
  | `person.${Crud | 'softdeleted' | 'consented' | 'unconsented'}`
  | `document.${Crud | 'edited'}`
  | `sale.${Crud | 'sold' | 'lost' | 'completed'}`
  | `quote.${'approved' | 'rejected' | 'sent' | 'ordered'}`
  | `chatsession.${'created' | 'changed' | 'message'}`
  | `ticket.${'created' | 'changed'}`
  | `webhook.${'started' | 'stopped' | 'errors'}`;

/**
 * SuperOffice event names (namespaced `superoffice.`) and their payloads.
 * Relation events are fully typed; any other `entity.verb` (extra tables,
 * lists, custom events) is dispatched under its own name as `SuperOfficeEvent`.
 */
export type SuperOfficeEventMap = {
  'superoffice.relation.created': SuperOfficeRelationCreated;
  'superoffice.relation.changed': SuperOfficeRelationChanged;
  'superoffice.relation.deleted': SuperOfficeRelationDeleted;
  'superoffice.test': SuperOfficeTestEvent;
  readonly [name: `superoffice.${string}.${string}`]: SuperOfficeEvent;
} & { readonly [K in SuperOfficeOtherEventName as `superoffice.${K}`]: SuperOfficeEvent<K> };
