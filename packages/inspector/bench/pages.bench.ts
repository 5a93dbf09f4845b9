/**
 * The inspector's pages on a journal of 1,000,000 events on a local Postgres (started here):
 * how long each page takes to answer, p50 and p95 of 100 requests (target: under 100 ms).
 */
import pg from 'pg';
import { createInspector } from '@crmhooks/inspector';
import { createJournal, postgres } from '@crmhooks/journal';
import { fillJournal } from '../../../bench/support/journal-rows.js';
import { startPostgres } from '../../../test/support/postgres-server.js';

const ROWS = Number(process.env.BENCH_JOURNAL_ROWS ?? 1_000_000);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const database = await startPostgres();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
try {
  const journal = createJournal({ database: postgres(pool), pruneEveryMs: false });
  await journal.ready();
  // Events every 2 s going back 23 days; one delivery row (with a body) shared by all, as retries share theirs.
  await pool.query(`INSERT INTO crmhooks_journal_deliveries (provider, body_sha256, received_at, headers, body) VALUES ('superoffice', 'x', now(), '{"content-type":"application/json"}', convert_to('{"Event":"relation.created"}', 'UTF8'))`);
  await fillJournal(pool, 'crmhooks_journal_events', ROWS, 1);
  const inspector = createInspector({ journal, authorize: () => true });
  const timed = async (label: string, path: (run: number) => string) => {
    const times: number[] = [];
    for (let run = 0; run < 100; run += 1) {
      const start = performance.now();
      const answer = await inspector.fetch(new Request(`http://bench.local/inspector${path(run)}`));
      await answer.text();
      times.push(performance.now() - start);
      if (answer.status !== 200) throw new Error(`${label}: answered ${answer.status}`);
    }
    console.log(`| ${label} | ${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms |`);
  };
  console.log(`\nThe inspector on ${ROWS.toLocaleString('en-US')} journal events (Postgres, local), 100 requests each (target: under 100 ms):\n`);
  console.log('| page | p50 | p95 |');
  console.log('| --- | ---: | ---: |');
  await timed('deliveries, newest first, with the last 24 h (counts, chart, failures)', () => '/');
  await timed('filtered: hubspot, failed', () => '/?provider=hubspot&state=failed');
  await timed('search: a record id', (run) => `/?q=${run * 97}`);
  await timed('a page 20 pages back', () => `/?after=${Buffer.from(JSON.stringify([new Date(Date.now() - 2000 * 1000 * 50).toISOString(), 'superoffice', 'd-x'])).toString('base64url')}`);
  await timed('one delivery', (run) => `/delivery/hubspot/d-${3 * run + 2}`);
  await journal.close();
} finally {
  await pool.end();
  await database.stop();
}
