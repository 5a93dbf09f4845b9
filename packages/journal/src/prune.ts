import { deleteInBatches, type Database } from '@crmhooks/postgres';
import type { JournalCounts } from './counts.js';
import { dropDaysBefore } from './partitions.js';
import type { JournalTables } from './tables.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Drops the days (deliveries, events and attempts, one partition each) that ended by `cutoff`:
 * no row is deleted one by one, so pruning leaves no dead rows to vacuum and holds up no insert.
 * Then the claims of those days' events (one narrow row each) and their counts, in batches.
 * Events of the day `cutoff` falls in stay until that day has passed. Resolves with the number
 * of events dropped (as counted).
 */
export async function prune(db: Database, t: JournalTables, counts: JournalCounts, cutoff: Date, batchSize: number): Promise<number> {
  const end = new Date(Math.floor(cutoff.getTime() / DAY_MS) * DAY_MS);
  await counts.fold(db);
  const events = await counts.before(db, end);
  const days = await dropDaysBefore(db, t, end);
  // Also when no day was dropped now: a prune that died after dropping its days left these.
  await deleteInBatches(db, t.claims, 'received_at < $1', [end], batchSize);
  await counts.forgetBefore(db, end);
  return days.length === 0 ? 0 : events;
}

/**
 * Deletes the rows of the events `where` matches (and their claims), then of the attempts and
 * deliveries it matches, `batchSize` a statement, so deliveries arriving meanwhile never wait:
 * one tenant's rows, which no partition holds alone. Resolves with the number of events deleted.
 */
export async function deleteRows(db: Database, t: JournalTables, where: string, params: readonly unknown[], batchSize: number): Promise<{ events: number; attempts: number; deliveries: number }> {
  const limit = `$${params.length + 1}`;
  const statement = `
    WITH gone AS (
      DELETE FROM ${t.events} WHERE (tableoid, ctid) IN (SELECT tableoid, ctid FROM ${t.events} WHERE ${where} LIMIT ${limit})
      RETURNING provider, delivery_id, received_at),
    unclaimed AS (
      DELETE FROM ${t.claims} c USING gone WHERE c.provider = gone.provider AND c.delivery_id = gone.delivery_id AND c.received_at = gone.received_at)
    SELECT count(*)::int AS deleted FROM gone`;
  let events = 0;
  for (;;) {
    const deleted = (await db.query<{ deleted: number }>(statement, [...params, batchSize])).rows[0]?.deleted ?? 0;
    events += deleted;
    if (deleted < batchSize) break;
  }
  // Events first: a delivery row is what a replay would read, so it goes last.
  const attempts = await deleteInBatches(db, t.attempts, where, params, batchSize);
  const deliveries = await deleteInBatches(db, t.deliveries, where, params, batchSize);
  return { events, attempts, deliveries };
}
