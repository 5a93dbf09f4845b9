/**
 * How long the move to tables partitioned by day (version 8) takes: tables of version 7 filled
 * with 1,000,000 events over 30 days (each with its delivery and an attempt), migrated by
 * `journal.ready()`, on a local Postgres started here. Then a delivery is recorded, to show the
 * migrated journal writes. BENCH_MIGRATION_ROWS changes the size.
 */
import pg from 'pg';
import { createJournal, postgres } from '@crmhooks/journal';
import { fillJournal } from '../../../bench/support/journal-rows.js';
import { startPostgres } from '../../../test/support/postgres-server.js';
import { migrateJournal } from '../src/migrations.js';
import { journalTables } from '../src/tables.js';

const ROWS = Number(process.env.BENCH_MIGRATION_ROWS ?? 1_000_000);
const DAY_MS = 24 * 60 * 60 * 1000;

const database = await startPostgres();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
try {
  await migrateJournal(postgres(pool), journalTables('public', 'old_'), 7);
  await fillJournal(pool, 'old_', ROWS, { spacingMs: (30 * DAY_MS) / ROWS, tenants: 1000, deliveries: true, unpartitioned: true });
  const { rows } = await pool.query<{ mb: string }>(
    `SELECT round(sum(pg_total_relation_size(c.oid)) / 1048576.0) AS mb FROM pg_class c WHERE c.relname IN ('old_deliveries', 'old_events', 'old_attempts')`,
  );
  const journal = createJournal({ database: postgres(pool), tablePrefix: 'old_', pruneEveryMs: false, recovery: false, logger: false });
  const started = performance.now();
  await journal.ready();
  const seconds = (performance.now() - started) / 1000;
  await journal.record({
    provider: 'superoffice', receivedAt: Date.now(), method: 'POST', url: undefined, headers: {}, body: Buffer.from('{"EventId":"after"}'),
    events: [{ name: 'superoffice.relation.created', deliveryId: 'after', signedAt: undefined, recordIds: [] }],
  });
  const migrated = (await journal.summary()).reduce((sum, row) => sum + row.count, 0);
  if (migrated !== ROWS + 1) throw new Error(`migrated ${migrated} events, expected ${ROWS + 1}`);
  console.log(
    `\nMigrating version 7 tables (${ROWS.toLocaleString('en-US')} events, ${ROWS.toLocaleString('en-US')} deliveries and attempts, ${rows[0]!.mb} MB) to version 8 ` +
      `took ${seconds.toFixed(1)} s: ${((seconds * 1_000_000) / ROWS).toFixed(1)} s per million events (local Postgres, fsync off; Node ${process.version}).`,
  );
  await journal.close();
} finally {
  await pool.end();
  await database.stop();
}
