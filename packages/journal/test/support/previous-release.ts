import type { ArrivedDelivery, DeliveryAttempt } from '@crmhooks/core';
import type { PGlite } from '@electric-sql/pglite';
import { pglite } from '@crmhooks/postgres';
import { migrateJournal } from '../../src/migrations.js';
import { journalTables } from '../../src/tables.js';
import { journalWrites, type JournalWrite } from '../../src/writes.js';

/** SQL that takes a journal's tables back to before version 7 (no counts kept as events change), for migration tests. */
export const withoutCounts = (prefix: string): string => `
  DELETE FROM ${prefix}versions WHERE version = 7;
  DROP TRIGGER counted_inserts ON ${prefix}events; DROP TRIGGER counted_deletes ON ${prefix}events; DROP TRIGGER counted_changes ON ${prefix}events;
  DROP FUNCTION ${prefix}count_change, ${prefix}fold_counts;
  DROP TABLE ${prefix}count_changes, ${prefix}hour_counts, ${prefix}tenant_hour_counts, ${prefix}counts_since, ${prefix}tenant_day_counts;`;

/** Tables as the release of `version` left them (every migration up to it), for tests of the migrations after it. */
export async function tablesOfVersion(db: PGlite, prefix: string, version: number): Promise<void> {
  await migrateJournal(pglite(db), journalTables('public', prefix), version);
}

/**
 * Writes as a receiver of version 7 did: the same batch (deliveries with their events, attempts)
 * through the writer of that version. Resolves with the ids each delivery claimed.
 */
export function writeAsVersion7(db: PGlite, prefix: string, writes: readonly JournalWrite[]): Promise<(readonly string[] | undefined)[]> {
  return journalWrites(journalTables('public', prefix), true, 3000).write(pglite(db), writes, false);
}

/** A signed SuperOffice delivery (`superOfficeDelivery(...)`) of one event, as a receiver hands it to the journal on arrival. */
export function arrivedAs(signed: { readonly headers: Readonly<Record<string, string | number>>; readonly body: string }, receivedAt: number, tenant: string): ArrivedDelivery {
  const eventId = (JSON.parse(signed.body) as { EventId: string }).EventId;
  return {
    provider: 'superoffice',
    tenant,
    receivedAt,
    method: 'POST',
    url: undefined,
    headers: Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)])),
    body: Buffer.from(signed.body),
    events: [{ name: 'superoffice.relation.created', deliveryId: eventId, tenant, signedAt: receivedAt, recordIds: ['1', '2'] }],
  };
}

/** How an attempt at one SuperOffice event ended, as a receiver notes it. */
export const attemptAt = (eventId: string, result: 'handled' | 'failed', tenant: string): DeliveryAttempt => ({
  provider: 'superoffice',
  deliveryId: eventId,
  name: 'superoffice.relation.created',
  tenant,
  result,
  status: result === 'handled' ? 200 : 500,
  error: result === 'failed' ? { code: 'handler_failed', message: 'a bug' } : undefined,
  durationMs: 1,
  replay: false,
});
