import type { AssociationAction, AssociationEvent } from '@crmhooks/core';

/** A delete outranks an update, an update a create, when the CRM gives them the same time. */
const ACTION_RANK: Readonly<Record<AssociationAction, number>> = { created: 1, updated: 2, deleted: 3 };

/**
 * When an event happened, in milliseconds: the CRM's own event time, or `arrivedAt` when the
 * CRM sent none (or one that does not parse). Events without a time are ordered by arrival,
 * which is only as good as the order the CRM delivered them in.
 */
export function eventTime(event: Pick<AssociationEvent, 'occurredAt'>, arrivedAt: number): number {
  const time = event.occurredAt === undefined ? Number.NaN : Date.parse(event.occurredAt);
  return Number.isFinite(time) ? Math.max(0, time) : arrivedAt;
}

/**
 * The order of the events of one link: CRM time first, then action, then delivery id, so
 * that any two events compare the same way in every process and for every delivery order.
 * Compared as text (collation "C"): the time is zero-padded to a fixed width.
 */
export function orderKey(timeMs: number, action: AssociationAction, deliveryId: string): string {
  return `${String(timeMs).padStart(15, '0')}:${ACTION_RANK[action]}:${deliveryId}`;
}
