import type { AssociationAction, AssociationEvent } from '../shared/association-event.js';
import { idField, stringField } from '../shared/json.js';
import type { HighLevelLinkEventName } from './event-map.js';
import type { HighLevelAssociationDefinition, HighLevelLinkEvent, HighLevelRelation } from './types.js';

/** A HighLevel association or relation event in its cross-provider form. */
export type HighLevelAssociationEvent = AssociationEvent<'highlevel', HighLevelLinkEvent>;

interface LinkEventKind {
  readonly action: AssociationAction;
  readonly level: 'definition' | 'record';
}

/** Link events and what each maps to (a Map: event names come from the body). */
export const LINK_EVENTS: ReadonlyMap<string, LinkEventKind> = new Map<HighLevelLinkEventName, LinkEventKind>([
  ['AssociationCreate', { action: 'created', level: 'definition' }],
  ['AssociationUpdate', { action: 'updated', level: 'definition' }],
  ['AssociationDelete', { action: 'deleted', level: 'definition' }],
  ['RelationCreate', { action: 'created', level: 'record' }],
  ['RelationDelete', { action: 'deleted', level: 'record' }],
]);

/**
 * Association* events change a definition (object type to object type);
 * Relation* events link two records. Both become association events.
 */
export function linkToAssociation(
  name: string,
  payload: HighLevelLinkEvent,
  kind: LinkEventKind,
  deliveryId: string,
  tenant: string | undefined,
): HighLevelAssociationEvent {
  const common = {
    action: kind.action,
    level: kind.level,
    provider: 'highlevel' as const,
    tenant,
    id: idField(payload.id),
    occurredAt: stringField(payload.timestamp),
    deliveryId,
    native: { name, payload },
  };
  if (kind.level === 'definition') {
    const definition = payload as HighLevelAssociationDefinition;
    return {
      ...common,
      definitionId: idField(definition.id),
      from: end(definition.firstObjectKey, undefined, definition.firstObjectLabel),
      to: end(definition.secondObjectKey, undefined, definition.secondObjectLabel),
    };
  }
  const relation = payload as HighLevelRelation;
  return {
    ...common,
    definitionId: idField(relation.associationId),
    from: end(relation.firstObjectKey, relation.firstRecordId),
    to: end(relation.secondObjectKey, relation.secondRecordId),
  };
}

function end(objectKey: unknown, recordId: unknown, label?: unknown) {
  const objectType = stringField(objectKey);
  const record = idField(recordId);
  const name = stringField(label);
  return {
    ...(objectType !== undefined && { objectType }),
    ...(record !== undefined && { recordId: record }),
    ...(name !== undefined && { label: name }),
  };
}
