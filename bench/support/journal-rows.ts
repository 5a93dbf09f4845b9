/** Fills a journal's events table (tables `<tablePrefix>events`, ...) with synthetic events for the journal and inspector benchmarks. */

/** How the synthetic events are spread. */
export interface FillOptions {
  /** The delivery row every event points at (or none). */
  readonly delivery?: number | null;
  /** Time between two events, going back from now. Default 2 s (1,000,000 events span 23 days). */
  readonly spacingMs?: number;
  /** Tenants the events belong to: the first ten send half of them. Default: none (null). */
  readonly tenants?: number;
}

/**
 * Events going back from now, the three CRMs in turn, one in ten failed and one in ten dead,
 * each linking two of 50,000 + 70,000 records; the journal's counts folded. Then VACUUM ANALYZE,
 * as autovacuum leaves a table that grows steadily (a table loaded at once and never vacuumed
 * is read slower: no visibility map, hint bits set by the first reads).
 */
export async function fillJournal(pool: { query(sql: string): Promise<unknown> }, tablePrefix: string, rows: number, options: FillOptions = {}): Promise<void> {
  const delivery = options.delivery ?? null;
  const spacing = Number(options.spacingMs ?? 2000);
  const tenants = Math.floor(options.tenants ?? 0);
  // Half the events from ten busy tenants, the rest spread over all of them.
  const tenant = tenants > 0 ? `'t-' || CASE WHEN n % 2 = 0 THEN n % 10 ELSE (n / 2) % ${tenants} END` : 'NULL';
  await pool.query(`
    INSERT INTO ${tablePrefix}events (provider, tenant, delivery_id, delivery, name, state, received_at, signed_at, updated_at, attempts, last_status, record_ids)
    SELECT (ARRAY['superoffice', 'highlevel', 'hubspot'])[1 + n % 3], ${tenant}, 'd-' || n, ${delivery === null ? 'NULL' : Number(delivery)},
           (ARRAY['superoffice.relation.created', 'highlevel.RelationCreate', 'hubspot.contact.associationChange'])[1 + n % 3],
           (ARRAY['handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'failed', 'dead'])[1 + n % 10],
           now() - n * ${spacing} * interval '1 millisecond', now() - n * ${spacing} * interval '1 millisecond', now(), 1, 200,
           ARRAY[(n % 50000)::text, (100000 + n % 70000)::text]
    FROM generate_series(1, ${Number(rows)}) AS n`);
  await pool.query(`SELECT ${tablePrefix}fold_counts()`);
  await pool.query('VACUUM ANALYZE');
}
