import type { AssociationEnd, AssociationEvent } from '@crmhooks/core';
import { eventTime, orderKey } from './order.js';
import { toDefinition, toLink, type DefinitionRow, type LinkRow } from './rows.js';
import type { Database } from '@crmhooks/postgres';
import type { AppliedEvent, Link } from './types.js';
import type { upsertCalls } from './upserts.js';

type Statements = ReturnType<typeof upsertCalls>;

/** A record link event's parameters, in the order of LINK_COLUMNS. */
function linkParams(event: AssociationEvent, id: string, time: number, key: string): unknown[] {
  const { from, to } = event;
  // The ends count only together: an event that names one end does not say the link moved.
  const hasEnds = from.recordId !== undefined && to.recordId !== undefined;
  const iso = new Date(time).toISOString();
  return [
    event.provider, event.tenant ?? '', id,
    event.definitionId ?? null, event.definitionId === undefined ? null : key,
    ...(hasEnds ? [from.objectType ?? null, from.table ?? null, from.recordId, to.objectType ?? null, to.table ?? null, to.recordId, key] : [null, null, null, null, null, null, null]),
    event.action === 'created' ? iso : null, iso, event.action === 'deleted' ? iso : null, key,
  ];
}

/** A string field of the native payload: definition events come from HighLevel, whose names these are. */
function nativeText(event: AssociationEvent, field: string): string | null {
  const payload = event.native.payload;
  const value = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : null;
}

/** A definition event's parameters, in the order of DEFINITION_COLUMNS. */
function definitionParams(event: AssociationEvent, id: string, time: number, key: string): unknown[] {
  const fromTo = nativeText(event, 'firstObjectToSecondObjectCardinality');
  const toFrom = nativeText(event, 'secondObjectToFirstObjectCardinality');
  const hasCardinality = fromTo !== null || toFrom !== null;
  const iso = new Date(time).toISOString();
  return [
    event.provider, event.tenant ?? '', id,
    nativeText(event, 'key'), event.from.objectType ?? null, event.from.label ?? null, event.to.objectType ?? null, event.to.label ?? null, key,
    fromTo, toFrom, hasCardinality ? key : null,
    event.action === 'created' ? iso : null, iso, event.action === 'deleted' ? iso : null, key,
  ];
}

/** The event with what the mirror knows filled in where the event is silent. */
function completed<E extends AssociationEvent>(event: E, known: Link): E {
  const fill = (end: AssociationEnd, storedEnd: AssociationEnd) =>
    end.recordId === undefined && storedEnd.recordId !== undefined ? { ...storedEnd, ...end } : end;
  const from = fill(event.from, known.from);
  const to = fill(event.to, known.to);
  const definitionId = event.definitionId ?? known.definitionId;
  if (from === event.from && to === event.to && definitionId === event.definitionId) return event;
  return { ...event, from, to, definitionId };
}

/** Applies one association event with one upsert; `arrivedAt` stands in for a missing CRM time. */
export async function applyEvent<E extends AssociationEvent>(
  db: Database,
  statements: Statements,
  event: E,
  arrivedAt: number,
): Promise<AppliedEvent<E>> {
  const id = event.level === 'definition' ? event.definitionId : event.id;
  if (id === undefined) return { kind: 'skipped', event, stale: false };
  const time = eventTime(event, arrivedAt);
  const key = orderKey(time, event.action, event.deliveryId);
  if (event.level === 'definition') {
    const { rows } = await db.query<DefinitionRow>(statements.definition, definitionParams(event, id, time, key));
    const row = rows[0]!;
    return { kind: 'definition', event, definition: toDefinition(row), stale: row.state_key !== key };
  }
  const { rows } = await db.query<LinkRow>(statements.link, linkParams(event, id, time, key));
  const row = rows[0]!;
  const link = toLink(row);
  return { kind: 'link', event: completed(event, link), link, stale: row.state_key !== key };
}
