import type { AssociationAction, AssociationEnd, AssociationEvent } from '../shared/association-event.js';
import { idField } from '../shared/json.js';
import type { SuperOfficeRelationEvent } from './types.js';

/** A SuperOffice relation event in its cross-provider form. */
export type SuperOfficeAssociationEvent = AssociationEvent<'superoffice', SuperOfficeRelationEvent>;

/** SuperOffice's usual table numbers; a database can differ, so users may override them. */
export const DEFAULT_TABLE_NAMES: Readonly<Record<number, string>> = {
  2: 'associate',
  5: 'contact',
  6: 'person',
  11: 'project',
  13: 'sale',
};

/** Relation events and the association action each maps to (a Map: event names come from the body). */
export const RELATION_ACTIONS: ReadonlyMap<string, AssociationAction> = new Map([
  ['relation.created', 'created'],
  ['relation.changed', 'updated'],
  ['relation.deleted', 'deleted'],
]);

/** Maps a relation event to an association event between two records. */
export function relationToAssociation(
  payload: SuperOfficeRelationEvent,
  action: AssociationAction,
  name: string,
  deliveryId: string,
  tableNames: Readonly<Record<number, string>>,
  tenant: string | undefined,
): SuperOfficeAssociationEvent {
  const fields = payload.FieldValues ?? {};
  const keys = 'Values' in payload ? (payload.Values ?? {}) : {};
  return {
    action,
    level: 'record',
    provider: 'superoffice',
    tenant,
    id: idField(fields.relation_id) ?? idField(keys.relation_id) ?? idField(payload.PrimaryKey),
    definitionId: idField(fields.reldef_id),
    from: end(fields.source_table, fields.source_record, tableNames),
    to: end(fields.destination_table, fields.destination_record, tableNames),
    occurredAt: typeof payload.Timestamp === 'string' ? payload.Timestamp : undefined,
    deliveryId,
    native: { name, payload },
  };
}

function end(table: unknown, record: unknown, tableNames: Readonly<Record<number, string>>): AssociationEnd {
  const tableNumber = typeof table === 'number' ? table : undefined;
  const objectType = tableNumber !== undefined && Object.hasOwn(tableNames, tableNumber) ? tableNames[tableNumber] : undefined;
  const recordId = idField(record);
  return {
    ...(objectType !== undefined && { objectType }),
    ...(tableNumber !== undefined && { table: tableNumber }),
    ...(recordId !== undefined && { recordId }),
  };
}
