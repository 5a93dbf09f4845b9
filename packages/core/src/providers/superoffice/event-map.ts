import type {
  SuperOfficeEvent,
  SuperOfficeRelationChanged,
  SuperOfficeRelationCreated,
  SuperOfficeRelationDeleted,
  SuperOfficeTestEvent,
} from './types.js';

type Crud = 'created' | 'changed' | 'deleted';

/**
 * SuperOffice's documented entity event names besides `relation.*` and `test`. Names a
 * database adds (extra tables `y_equipment.created`, lists `list.hotlist.created`, custom
 * events) are declared per receiver: `superoffice<'y_equipment.created'>({ secret })`.
 */
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
 * SuperOffice event names (namespaced `superoffice.`) and their payloads: relation events
 * fully typed, the other documented names loosely, and `Extra` (names this receiver declares)
 * loosely too. The set is closed, so a misspelled name does not compile.
 */
export type SuperOfficeEventMap<Extra extends string = never> = {
  'superoffice.relation.created': SuperOfficeRelationCreated;
  'superoffice.relation.changed': SuperOfficeRelationChanged;
  'superoffice.relation.deleted': SuperOfficeRelationDeleted;
  'superoffice.test': SuperOfficeTestEvent;
} & { readonly [K in SuperOfficeOtherEventName | Extra as `superoffice.${K}`]: SuperOfficeEvent<K> };
