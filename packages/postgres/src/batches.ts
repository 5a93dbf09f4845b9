import type { Database } from './database.js';

/**
 * Deletes the rows of `table` that `where` matches, `batchSize` at a time, each batch its own
 * short statement, so writers of the same table (deliveries still arriving) never wait behind
 * one long delete. Returns how many rows were deleted. `where` may use `$1`...; the batch size
 * is passed after `params`. Rows are named by table and position: on a partitioned table a position
 * alone names a row in every partition.
 */
export async function deleteInBatches(database: Database, table: string, where: string, params: readonly unknown[], batchSize = 1_000): Promise<number> {
  const limit = `$${params.length + 1}`;
  const statement = `WITH gone AS (DELETE FROM ${table} WHERE (tableoid, ctid) IN (SELECT tableoid, ctid FROM ${table} WHERE ${where} LIMIT ${limit}) RETURNING 1) SELECT count(*)::int AS deleted FROM gone`;
  let total = 0;
  for (;;) {
    const { rows } = await database.query<{ deleted: number }>(statement, [...params, batchSize]);
    const deleted = rows[0]?.deleted ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
