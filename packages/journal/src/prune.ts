import type { Database } from '@crmhooks/postgres';
import type { JournalCounts } from './counts.js';
import type { JournalTables } from './tables.js';

/**
 * Deletes events, attempts and deliveries received before `cutoff`, `batchSize` rows per
 * statement: each statement holds its row locks briefly, so deliveries arriving meanwhile are
 * never held up behind one long delete. Counts of hours left empty go too. Returns the number of events deleted.
 */
export async function prune(db: Database, t: JournalTables, counts: JournalCounts, cutoff: Date, batchSize: number, tenant?: string): Promise<number> {
  const inBatches = async (sql: string) => {
    let total = 0;
    for (;;) {
      const deleted = (await db.query(sql, [cutoff, batchSize, tenant ?? null])).rows.length;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  };
  const events = await inBatches(
    `DELETE FROM ${t.events} WHERE ctid IN (SELECT ctid FROM ${t.events} WHERE received_at < $1 AND state <> 'running' AND ($3::text IS NULL OR tenant = $3) LIMIT $2) RETURNING 1`,
  );
  await inBatches(`DELETE FROM ${t.attempts} WHERE id IN (SELECT id FROM ${t.attempts} WHERE at < $1 AND ($3::text IS NULL OR tenant = $3) LIMIT $2) RETURNING 1`);
  await inBatches(`DELETE FROM ${t.deliveries} WHERE id IN (SELECT id FROM ${t.deliveries} WHERE received_at < $1 AND ($3::text IS NULL OR tenant = $3) LIMIT $2) RETURNING 1`);
  await counts.fold(db);
  await counts.dropEmpty(db);
  return events;
}
