/**
 * The inspector's pages with 1,000,000 journal events in the last 24 hours (1,000 tenants), on
 * a local Postgres (started here) and on PGlite: how long each page takes to answer, p50 and
 * p95 of 100 requests. Target: every page p95 under 50 ms on both.
 */
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createInspector } from '@crmhooks/inspector';
import { createJournal, pglite, postgres, type Database } from '@crmhooks/journal';
import { fillJournal } from '../../../bench/support/journal-rows.js';
import { startPostgres } from '../../../test/support/postgres-server.js';

const ROWS = Number(process.env.BENCH_JOURNAL_ROWS ?? 1_000_000);
const TARGET_MS = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** Fills a journal on `database` and times every kind of page. */
async function pages(label: string, database: Database, sql: { query(text: string): Promise<unknown> }): Promise<boolean> {
  const journal = createJournal({ database, pruneEveryMs: false, recovery: false });
  await journal.ready();
  const started = performance.now();
  // Each event with its delivery (a small body) and an attempt, filed under its day.
  await fillJournal(sql, 'crmhooks_journal_', ROWS, { deliveries: true, spacingMs: (DAY_MS - 60_000) / ROWS, tenants: 1000 });
  process.stderr.write(`inspector (${label}): ${ROWS.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  const inspector = createInspector({ journal, authorize: () => true });
  let met = true;
  const timed = async (page: string, path: (run: number) => string) => {
    const times: number[] = [];
    for (let run = 0; run < 100; run += 1) {
      const start = performance.now();
      const answer = await inspector.fetch(new Request(`http://bench.local/inspector${path(run)}`));
      await answer.text();
      times.push(performance.now() - start);
      if (answer.status !== 200) throw new Error(`${page}: answered ${answer.status}`);
    }
    const p95 = percentile(times, 95);
    met &&= p95 < TARGET_MS;
    console.log(`| ${label} | ${page} | ${percentile(times, 50).toFixed(1)} ms | ${p95.toFixed(1)} ms${p95 < TARGET_MS ? '' : ' (MISSED)'} |`);
  };
  const back = (pagesBack: number) => Buffer.from(JSON.stringify([new Date(Date.now() - (DAY_MS / ROWS) * 50 * pagesBack).toISOString(), 'superoffice', 'd-x'])).toString('base64url');
  await timed('deliveries, newest first, with the last 24 h (counts, chart, failures, tenants)', () => '/');
  await timed('filtered: hubspot, failed', () => '/?provider=hubspot&state=failed');
  await timed('filtered: one event name', () => '/?event=highlevel.RelationCreate');
  await timed('filtered: one of ten busy tenants (50,000 events each)', (run) => `/?tenant=t-${run % 10}`);
  await timed('filtered: one quiet tenant (500 events)', (run) => `/?tenant=t-${100 + run}`);
  await timed('search: a record id', (run) => `/?q=${run * 97}`);
  await timed('search: a delivery id (one row)', (run) => `/?q=d-${1000 + run * 7919}`);
  await timed('a page 20 pages back', () => `/?after=${back(20)}`);
  await timed('one delivery', (run) => `/delivery/hubspot/d-${3 * run + 2}`);
  await journal.close();
  return met;
}

console.log(`\nThe inspector with ${ROWS.toLocaleString('en-US')} journal events in the last 24 hours, 1,000 tenants, 100 requests per page; Node ${process.version}\n`);
console.log('| database | page | p50 | p95 |');
console.log('| --- | --- | ---: | ---: |');
let met = true;
const server = await startPostgres();
const pool = new pg.Pool({ connectionString: server.url, max: 4 });
try {
  met = (await pages('Postgres', postgres(pool), pool)) && met;
} finally {
  await pool.end();
  await server.stop();
}
const embedded = new PGlite();
try {
  met = (await pages('PGlite', pglite(embedded), embedded)) && met;
} finally {
  await embedded.close();
}
console.log(`\nTarget: every page p95 under ${TARGET_MS} ms on both: ${met ? 'met' : 'MISSED'}`);
