import type { AssociationAction, AssociationEnd, AssociationEvent } from '@crmhooks/core';

/** One change of one link, as a CRM would report it. */
export interface LinkChange {
  readonly provider?: string;
  readonly linkId: string;
  readonly action: AssociationAction;
  readonly time?: number;
  readonly deliveryId: string;
  readonly from?: AssociationEnd;
  readonly to?: AssociationEnd;
  readonly definitionId?: string;
  readonly tenant?: string;
}

/** A record-level association event, the shape a receiver dispatches. */
export function linkEvent(change: LinkChange): AssociationEvent {
  return {
    action: change.action,
    level: 'record',
    provider: change.provider ?? 'hubspot',
    ...(change.tenant !== undefined && { tenant: change.tenant }),
    id: change.linkId,
    definitionId: change.definitionId,
    from: change.from ?? {},
    to: change.to ?? {},
    occurredAt: change.time === undefined ? undefined : new Date(change.time).toISOString(),
    deliveryId: change.deliveryId,
    native: { name: `test.${change.action}`, payload: {} },
  };
}
