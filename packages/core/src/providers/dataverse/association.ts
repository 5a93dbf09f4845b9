import type { AssociationEvent } from '../shared/association-event.js';
import type { DataverseAssociateContext, DataverseEntityReference, DataverseRelationship } from './types.js';

/** A Dataverse link (one related row of an `Associate` or `Disassociate`) in its cross-provider form. */
export type DataverseAssociationEvent = AssociationEvent<'dataverse', DataverseAssociateContext>;

/** What an `Associate` or `Disassociate` links: the target, the relationship, the related rows. */
export interface AssociateParameters {
  readonly target: DataverseEntityReference;
  readonly relationship: DataverseRelationship;
  readonly related: readonly DataverseEntityReference[];
}

/** One association event per related row, from the target to it; the relationship is the link's definition. */
export function associateToAssociations(
  name: string,
  context: DataverseAssociateContext,
  parameters: AssociateParameters,
  deliveryId: string,
): DataverseAssociationEvent[] {
  const { target, relationship, related } = parameters;
  const occurredAt = dotNetDate(context.OperationCreatedOn);
  return related.map((row) => ({
    action: name === 'dataverse.Associate' ? 'created' : 'deleted',
    level: 'record',
    provider: 'dataverse',
    tenant: context.OrganizationId,
    id: `${relationship.SchemaName}:${target.Id}:${row.Id}`,
    definitionId: relationship.SchemaName,
    from: { objectType: target.LogicalName, recordId: target.Id },
    to: { objectType: row.LogicalName, recordId: row.Id },
    occurredAt,
    deliveryId,
    native: { name, payload: context },
  }));
}

/** `/Date(1506409448000-0700)/` (.NET's JSON date) as ISO 8601; undefined for anything else. */
export function dotNetDate(value: unknown): string | undefined {
  const found = typeof value === 'string' ? /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value) : null;
  if (found === null) return undefined;
  const date = new Date(Number(found[1]));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
