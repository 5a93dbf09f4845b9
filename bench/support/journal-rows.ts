/** Fills a journal's events table with `rows` synthetic events for the journal and inspector benchmarks. */

/**
 * Events every 2 s going back from now, the three CRMs in turn, one in ten failed or dead, each
 * linking two of 50,000 + 70,000 records; `delivery` names a delivery row (or none). Then ANALYZE.
 */
export async function fillJournal(pool: { query(sql: string): Promise<unknown> }, eventsTable: string, rows: number, delivery: number | null = null): Promise<void> {
  await pool.query(`
    INSERT INTO ${eventsTable} (provider, delivery_id, delivery, name, state, received_at, signed_at, updated_at, attempts, last_status, record_ids)
    SELECT (ARRAY['superoffice', 'highlevel', 'hubspot'])[1 + n % 3], 'd-' || n, ${delivery === null ? 'NULL' : Number(delivery)},
           (ARRAY['superoffice.relation.created', 'highlevel.RelationCreate', 'hubspot.contact.associationChange'])[1 + n % 3],
           (ARRAY['handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'failed', 'dead'])[1 + n % 10],
           now() - n * interval '2 seconds', now() - n * interval '2 seconds', now(), 1, 200,
           ARRAY[(n % 50000)::text, (100000 + n % 70000)::text]
    FROM generate_series(1, ${Number(rows)}) AS n`);
  await pool.query(`ANALYZE ${eventsTable}`);
}
