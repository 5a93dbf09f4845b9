/**
 * The journal partitioned by day, on 10,000,000 events over 30 days (1,000 tenants, each event
 * with its delivery and an attempt), against the journal of the release before (version 7: one
 * unpartitioned table each, pruned by batched DELETEs), built from git and filled alike, on a
 * local Postgres started here:
 * 1. deliveries per second through crmhooks (journal as journal, store and dead-letter sink), rounds
 *    alternating the two, each in a fresh process; the spread of each one's rounds is its noise;
 * 2. the newest 50 events of a listing, a search by record id, and an event with its delivery and
 *    attempts (what the inspector's delivery page reads): p50 and p95 of 200 runs;
 * 3. dropping the oldest day while deliveries are recorded (8 at a time): how long the drop took,
 *    and the slowest delivery meanwhile; then the rest of the prune (that day's claims and counts);
 *    and the release before pruning the same day row by row.
 * BENCH_PARTITION_ROWS changes the size; BENCH_BASELINE_REV the release compared against.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createJournal, postgres, type Journal } from '@crmhooks/journal';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import type { ArrivedDelivery } from '@crmhooks/core';
import { BENCH_SECRET, measure, startChild, type Measurement } from '../../../bench/support/http-bench.js';
import { fillJournal } from '../../../bench/support/journal-rows.js';
import { median } from '../../../bench/support/median.js';
import { startPostgres } from '../../../test/support/postgres-server.js';
import { dropDaysBefore } from '../src/partitions.js';
import { journalTables } from '../src/tables.js';

const ROWS = Number(process.env.BENCH_PARTITION_ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The last commit whose journal kept unpartitioned tables (version 7). */
const BASELINE_REV = process.env.BENCH_BASELINE_REV ?? '026f7d6';
const DAY_MS = 24 * 60 * 60 * 1000;
const SPAN_DAYS = 30;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const server = fileURLToPath(new URL('./server.js', import.meta.url));

/** The journal of `rev`, bundled with the @crmhooks/postgres of the same commit (core, pg and PGlite are today's). */
function buildBaseline(rev: string): string {
  const dir = fileURLToPath(new URL('./baseline/', import.meta.url));
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${rev} packages/journal/src packages/postgres/src | tar -x -C ${dir}`], { cwd: root });
  const outfile = `${dir}journal.mjs`;
  execFileSync(
    'npx',
    ['esbuild', `${dir}packages/journal/src/index.ts`, '--bundle', '--format=esm', '--platform=node', '--log-level=warning', '--tsconfig-raw={}',
      `--alias:@crmhooks/postgres=${dir}packages/postgres/src/index.ts`, '--external:@crmhooks/core', '--external:pg', '--external:@electric-sql/pglite', `--outfile=${outfile}`],
    { cwd: root, stdio: 'inherit' },
  );
  return outfile;
}

const baseline = buildBaseline(BASELINE_REV);
const previous = (await import(baseline)) as { createJournal: typeof createJournal };
// BENCH_PG_STATS=1: where Postgres spends its time per delivery, from its own statistics (pg_stat_statements).
const PG_STATS = process.env.BENCH_PG_STATS === '1';
const database = await startPostgres(PG_STATS ? { settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all', 'pg_stat_statements.track_planning=on'] } : {});
const pool = new pg.Pool({ connectionString: database.url, max: 8 });
const env = { BENCH_SECRET, DATABASE_URL: database.url };
const variants = {
  partitioned: { label: 'partitioned by day (this release)', prefix: 'now_', env: { BENCH_TABLE_PREFIX: 'now_' } },
  unpartitioned: { label: `unpartitioned (the release before, ${BASELINE_REV})`, prefix: 'v7_', env: { BENCH_TABLE_PREFIX: 'v7_', BENCH_JOURNAL_MODULE: baseline } },
} as const;

try {
  // The two journals' tables, filled alike.
  const journals: Record<keyof typeof variants, Journal> = {
    partitioned: createJournal({ database: postgres(pool), tablePrefix: 'now_', pruneEveryMs: false, recovery: false, logger: false }),
    unpartitioned: previous.createJournal({ database: postgres(pool), tablePrefix: 'v7_', pruneEveryMs: false, recovery: false, logger: false }),
  };
  const loaded: Record<string, number> = {};
  for (const [name, journal] of Object.entries(journals)) {
    await journal.ready();
    const started = performance.now();
    await fillJournal(pool, variants[name as keyof typeof variants].prefix, ROWS, {
      spacingMs: (SPAN_DAYS * DAY_MS) / ROWS,
      tenants: 1000,
      deliveries: true,
      unpartitioned: name === 'unpartitioned',
    });
    loaded[name] = (performance.now() - started) / 1000;
    process.stderr.write(`partitions: ${name} filled in ${loaded[name]!.toFixed(0)} s\n`);
  }

  // 1. Throughput, rounds alternating.
  let run = 0;
  const freshDeliveries = () =>
    Array.from({ length: 60_000 }, (_, index) =>
      superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample('relation.created'), EventId: `run${(run += 1)}-${index}` } }),
    );
  const runs: Record<string, Measurement[]> = { partitioned: [], unpartitioned: [] };
  const statements: Record<string, Map<string, number>> = { partitioned: new Map(), unpartitioned: new Map() };
  if (PG_STATS) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [name, variant] of Object.entries(variants)) {
      const child = await startChild(server, ['journal'], { ...env, ...variant.env });
      if (PG_STATS) await pool.query('SELECT pg_stat_statements_reset()');
      try {
        runs[name]!.push(await measure(child, freshDeliveries()));
      } finally {
        await child.stop();
      }
      if (PG_STATS) {
        // Per delivery: the total over the deliveries recorded (each one write of its delivery).
        const { rows } = await pool.query<{ query: string; ms: number }>('SELECT query, total_exec_time + total_plan_time AS ms FROM pg_stat_statements');
        const written = Number((await pool.query(`SELECT count(*) FROM ${variant.prefix}events WHERE delivery_id LIKE 'run%'`)).rows[0].count);
        for (const row of rows) {
          const text = row.query.replace(/\s+/g, ' ').slice(0, 90);
          statements[name]!.set(text, (statements[name]!.get(text) ?? 0) + (row.ms * 1000) / written / ROUNDS);
        }
      }
    }
    process.stderr.write(`partitions: round ${round}/${ROUNDS} done\n`);
  }
  const rate = (name: string) => median(runs[name]!.map((m) => m.rate));
  const spread = (name: string) => {
    const rates = runs[name]!.map((m) => m.rate);
    return ((Math.max(...rates) - Math.min(...rates)) / rate(name)) * 100;
  };
  console.log(`\nThe journal on ${ROWS.toLocaleString('en-US')} events over ${SPAN_DAYS} days (each with its delivery and an attempt); Postgres local, fsync off; Node ${process.version}\n`);
  console.log(`SuperOffice deliveries through crmhooks on node:http, journal as journal, store and dead-letter sink; autocannon 10 connections, ${ROUNDS} rounds (medians)\n`);
  console.log('| journal | deliveries/s | server CPU per delivery | spread of rounds | vs the release before |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const [name, variant] of Object.entries(variants)) {
    const ratio = rate(name) / rate('unpartitioned');
    const target = name === 'partitioned' ? ` (target >= 1.00x within the noise: ${ratio >= 1 - Math.max(spread('partitioned'), spread('unpartitioned')) / 100 ? 'met' : 'MISSED'})` : '';
    console.log(
      `| ${variant.label} | ${Math.round(rate(name)).toLocaleString('en-US')} | ${median(runs[name]!.map((m) => m.cpuPerRequest)).toFixed(0)} µs | ${spread(name).toFixed(1)} % | ${ratio.toFixed(2)}x${target} |`,
    );
  }

  if (PG_STATS) {
    console.log('\nPostgres time per delivery (pg_stat_statements, statements inside functions counted too):\n');
    console.log('| journal | statement | µs per delivery |');
    console.log('| --- | --- | ---: |');
    for (const [name, kept] of Object.entries(statements)) {
      for (const [text, us] of [...kept.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`| ${name} | \`${text.replaceAll('|', '\\|')}\` | ${us.toFixed(1)} |`);
    }
  }

  // 2. Reads, both journals.
  console.log(`\nReads, 200 runs each (target p95 < 50 ms)\n`);
  console.log('| read | partitioned p50 | p95 | unpartitioned p50 | p95 |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const timed = async (read: (run: number) => Promise<unknown>) => {
    const times: number[] = [];
    for (let index = 0; index < 200; index += 1) {
      const start = performance.now();
      const found = await read(index);
      times.push(performance.now() - start);
      if (found === undefined || (Array.isArray(found) && found.length === 0)) throw new Error('a benchmark read found nothing');
    }
    return `${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms`;
  };
  const reads: [string, (journal: Journal, run: number) => Promise<unknown>][] = [
    ['newest 50', (journal) => journal.list({}, { limit: 50 })],
    ['newest 50 failed of hubspot', (journal) => journal.list({ provider: 'hubspot', state: 'failed' }, { limit: 50 })],
    ['newest 50 of a busy tenant', (journal, index) => journal.list({ tenant: `t-${index % 10}` }, { limit: 50 })],
    ['a record id (each run another)', (journal, index) => journal.list({ recordId: String(index * 97) }, { limit: 50 })],
    ['an event, its delivery and attempts (each run another, any day)', (journal, index) => {
      const n = 1 + ((index * 7919) % ROWS);
      return journal.show(['superoffice', 'highlevel', 'hubspot'][n % 3]!, `d-${n}`);
    }],
  ];
  for (const [label, read] of reads) {
    console.log(`| ${label} | ${await timed((index) => read(journals.partitioned, index))} | ${await timed((index) => read(journals.unpartitioned, index))} |`);
  }

  // 3. Dropping the oldest day while deliveries are recorded.
  const oldestDay = Math.floor((Date.now() - SPAN_DAYS * DAY_MS) / DAY_MS) * DAY_MS;
  const dayEnd = new Date(oldestDay + 2 * DAY_MS);
  const underLoad = async (journal: Journal, work: () => Promise<void>) => {
    const latencies: number[] = [];
    let recording = true;
    let index = 0;
    const record = async () => {
      while (recording) {
        const id = `live-${journal === journals.partitioned ? 'p' : 'u'}-${(index += 1)}`;
        const delivery: ArrivedDelivery = {
          provider: 'superoffice', receivedAt: Date.now(), method: 'POST', url: undefined, headers: { 'content-type': 'application/json' },
          body: Buffer.from(`{"EventId":"${id}"}`), events: [{ name: 'superoffice.relation.created', deliveryId: id, signedAt: Date.now(), recordIds: ['1', '2'] }],
        };
        const start = performance.now();
        await journal.record(delivery);
        await journal.attempted([{ provider: 'superoffice', deliveryId: id, name: 'superoffice.relation.created', result: 'handled', status: 200, error: undefined, durationMs: 1, replay: false }]);
        latencies.push(performance.now() - start);
      }
    };
    const recorders = Array.from({ length: 8 }, record);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = latencies.length;
    const start = performance.now();
    await work();
    const seconds = (performance.now() - start) / 1000;
    recording = false;
    await Promise.all(recorders);
    const during = latencies.slice(before);
    return { seconds, count: during.length, p99: percentile(during, 99), slowest: Math.max(...during) };
  };
  const t = journalTables('public', 'now_');
  const db = postgres(pool);
  let dropped: Date[] = [];
  const drop = await underLoad(journals.partitioned, async () => void (dropped = await dropDaysBefore(db, t, dayEnd)));
  const rest = await underLoad(journals.partitioned, async () => void (await journals.partitioned.prune({ olderThan: dayEnd, batchSize: 5000 })));
  const old = await underLoad(journals.unpartitioned, async () => void (await journals.unpartitioned.prune({ olderThan: dayEnd })));
  const perDay = Math.round(ROWS / SPAN_DAYS);
  console.log(`\nPruning the oldest ${dropped.length} day(s) (about ${perDay.toLocaleString('en-US')} events a day) while deliveries are recorded, 8 at a time (target: the drop under 1 s, no delivery delayed over 100 ms)\n`);
  console.log('| step | took | deliveries meanwhile | p99 | slowest |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const line = (label: string, m: typeof drop) => console.log(`| ${label} | ${m.seconds.toFixed(2)} s | ${m.count.toLocaleString('en-US')} | ${m.p99.toFixed(1)} ms | ${m.slowest.toFixed(1)} ms |`);
  line('partitioned: detach (concurrently) and drop the days of deliveries, events and attempts', drop);
  line('partitioned: the rest of the prune (those days\' claims, 5,000 a statement, and counts)', rest);
  line('unpartitioned (the release before): delete the same rows, 500 a statement', old);
  for (const journal of Object.values(journals)) await journal.close();
} finally {
  await pool.end();
  await database.stop();
}
