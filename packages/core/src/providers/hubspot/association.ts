import type { AssociationEvent } from '../shared/association-event.js';
import type { HubSpotAssociationChange } from './types.js';

/** A HubSpot association change in its cross-provider form. */
export type HubSpotAssociationEvent = AssociationEvent<'hubspot', HubSpotAssociationChange>;

/** `CONTACT_TO_COMPANY` -> ['contact', 'company']; unknown shapes give no object types. */
function objectTypes(associationType: string): [string | undefined, string | undefined] {
  const parts = associationType.toLowerCase().split('_to_');
  return parts.length === 2 ? [parts[0], parts[1]] : [undefined, undefined];
}

/** `associationRemoved: false` is a link created, `true` a link deleted; always between two records. */
export function associationChangeToEvent(
  name: string,
  change: HubSpotAssociationChange,
  deliveryId: string,
  tenant: string | undefined,
): HubSpotAssociationEvent {
  const [fromType, toType] = objectTypes(String(change.associationType ?? ''));
  return {
    action: change.associationRemoved ? 'deleted' : 'created',
    level: 'record',
    provider: 'hubspot',
    tenant,
    id: `${change.fromObjectId}:${change.associationType}:${change.toObjectId}`,
    definitionId: change.associationType,
    from: { ...(fromType && { objectType: fromType }), recordId: String(change.fromObjectId) },
    to: { ...(toType && { objectType: toType }), recordId: String(change.toObjectId) },
    occurredAt: Number.isFinite(change.occurredAt) ? new Date(change.occurredAt).toISOString() : undefined,
    deliveryId,
    native: { name, payload: change },
  };
}
