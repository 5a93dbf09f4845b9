/** Fills a journal's tables (`<tablePrefix>events`, ...) with synthetic events for the journal and inspector benchmarks. */

/** How the synthetic events are spread. */
export interface FillOptions {
  /** Time between two events, going back from now. Default 2 s (1,000,000 events span 23 days). */
  readonly spacingMs?: number;
  /** Tenants the events belong to: the first ten send half of them. Default: none (null). */
  readonly tenants?: number;
  /** Give each event a delivery row of its own (a small body) and one attempt, as a live journal has. Default: false. */
  readonly deliveries?: boolean;
  /** The tables of version 7 (unpartitioned, no claims table), to fill the journal of the release before as a baseline. */
  readonly unpartitioned?: boolean;
}

/**
 * Events going back from now, the three CRMs in turn, one in ten failed and one in ten dead,
 * each linking two of 50,000 + 70,000 records; the journal's counts folded. Then VACUUM ANALYZE,
 * as autovacuum leaves a table that grows steadily (a table loaded at once and never vacuumed
 * is read slower: no visibility map, hint bits set by the first reads).
 */
export async function fillJournal(pool: { query(sql: string): Promise<unknown> }, tablePrefix: string, rows: number, options: FillOptions = {}): Promise<void> {
  const spacing = Number(options.spacingMs ?? 2000);
  const tenants = Math.floor(options.tenants ?? 0);
  // Half the events from ten busy tenants, the rest spread over all of them.
  const tenant = tenants > 0 ? `'t-' || CASE WHEN n % 2 = 0 THEN n % 10 ELSE (n / 2) % ${tenants} END` : 'NULL';
  // One instant for every statement (each has its own now()): an event, its claim, delivery and attempt share their time.
  const base = `'${new Date().toISOString()}'::timestamptz`;
  // To the millisecond, as a receiver's clock gives it.
  const at = `date_trunc('milliseconds', ${base} - n::float8 * ${spacing} * interval '1 millisecond')`;
  const provider = `(ARRAY['superoffice', 'highlevel', 'hubspot'])[1 + n % 3]`;
  if (!options.unpartitioned) await pool.query(`SELECT ${tablePrefix}make_partitions(${base} - ${Number(rows)}::float8 * ${spacing} * interval '1 millisecond', ${base})`);
  // Ids past any the sequence gives, so that live deliveries recorded later never collide.
  const deliveryOf = options.deliveries ? '1000000000 + n' : 'NULL';
  if (options.deliveries) {
    await pool.query(`
      INSERT INTO ${tablePrefix}deliveries (id, provider, tenant, body_sha256, received_at, method, headers, body)
      SELECT 1000000000 + n, ${provider}, ${tenant}, md5(n::text), ${at}, 'POST', '{"content-type":"application/json"}',
             convert_to('{"EventId":"d-' || n || '","Event":"relation.created"}', 'UTF8')
      FROM generate_series(1, ${Number(rows)}) AS n`);
  }
  await pool.query(`
    INSERT INTO ${tablePrefix}events (provider, tenant, delivery_id, delivery, name, state, received_at, signed_at, updated_at, attempts, last_status, record_ids)
    SELECT ${provider}, ${tenant}, 'd-' || n, ${deliveryOf},
           (ARRAY['superoffice.relation.created', 'highlevel.RelationCreate', 'hubspot.contact.associationChange'])[1 + n % 3],
           (ARRAY['handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'handled', 'failed', 'dead'])[1 + n % 10],
           ${at}, ${at}, now(), 1, 200,
           ARRAY[(n % 50000)::text, (100000 + n % 70000)::text]
    FROM generate_series(1, ${Number(rows)}) AS n`);
  if (!options.unpartitioned) {
    await pool.query(`INSERT INTO ${tablePrefix}claims (provider, delivery_id, received_at) SELECT ${provider}, 'd-' || n, ${at} FROM generate_series(1, ${Number(rows)}) AS n`);
  }
  if (options.deliveries) {
    const day = options.unpartitioned ? '' : 'received_at, ';
    await pool.query(`
      INSERT INTO ${tablePrefix}attempts (provider, tenant, delivery_id, ${day}at, result, status, duration_ms, replay)
      SELECT ${provider}, ${tenant}, 'd-' || n, ${options.unpartitioned ? '' : `${at}, `}${at}, 'handled', 200, 3, false FROM generate_series(1, ${Number(rows)}) AS n`);
  }
  await pool.query(`SELECT ${tablePrefix}fold_counts()`);
  await pool.query('VACUUM ANALYZE');
}
