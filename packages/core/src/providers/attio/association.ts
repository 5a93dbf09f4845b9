import type { AssociationAction, AssociationEvent } from '../shared/association-event.js';
import type { AttioListEntryEvent } from './types.js';

/** An Attio list entry (a record's link to a list) in its cross-provider form. */
export type AttioAssociationEvent = AssociationEvent<'attio', AttioListEntryEvent>;

/** `list-entry.created` links a record to a list, `deleted` unlinks it, `updated` changes the link's own attributes. */
export const LIST_ENTRY_ACTIONS: ReadonlyMap<string, AssociationAction> = new Map([
  ['list-entry.created', 'created'],
  ['list-entry.updated', 'updated'],
  ['list-entry.deleted', 'deleted'],
]);

/**
 * From the record (its object and id) to the list; the entry is the link (`id`), the list its
 * definition. Attio sends no time with the event.
 */
export function listEntryToAssociation(name: string, event: AttioListEntryEvent, action: AssociationAction, deliveryId: string): AttioAssociationEvent {
  return {
    action,
    level: 'record',
    provider: 'attio',
    tenant: event.id.workspace_id,
    id: event.id.entry_id,
    definitionId: event.id.list_id,
    from: { objectType: event.parent_object_id, recordId: event.parent_record_id },
    to: { objectType: 'list', recordId: event.id.list_id },
    occurredAt: undefined,
    deliveryId,
    native: { name, payload: event },
  };
}
