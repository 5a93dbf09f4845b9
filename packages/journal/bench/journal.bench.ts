/**
 * The journal's figures, one run each, on a local Postgres (and redis-server) started here:
 * 1. deliveries per second through crmhooks with the journal on Postgres (journal, store and
 *    dead-letter sink) against the same receiver and journal on the Redis store, against the
 *    receiver on the Redis store without a journal, against the `webhook_events` table teams write by
 *    hand (INSERT ... ON CONFLICT DO NOTHING, the handler, an UPDATE of its status, the body kept), and
 *    against a hand-written endpoint doing one INSERT per delivery; rounds alternate the five, each in a
 *    fresh process, with 10 requests in flight; then the journal and the `webhook_events` endpoint again
 *    with 50 in flight;
 * 2. on 1,000,000 journal rows, the newest 50 events matching a filter (p50, p95 of 200 runs);
 * 3. pruning the days before the 200,000 oldest events' cutoff while deliveries are recorded: the slowest record() meanwhile
 *    (partitions.bench.ts measures it on 10,000,000 events beside the release before).
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createJournal, postgres } from '@crmhooks/journal';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { BENCH_SECRET, measure, startChild, type Measurement } from '../../../bench/support/http-bench.js';
import { fillJournal } from '../../../bench/support/journal-rows.js';
import { median } from '../../../bench/support/median.js';
import { startPostgres } from '../../../test/support/postgres-server.js';
import { startRedis } from '../../../test/support/redis-server.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROWS = Number(process.env.BENCH_JOURNAL_ROWS ?? 1_000_000);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

// BENCH_PG_STATS=1: where Postgres spends its time per delivery, from its own statistics (pg_stat_statements).
const PG_STATS = process.env.BENCH_PG_STATS === '1';
const [database, redis] = await Promise.all([
  startPostgres(PG_STATS ? { settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] } : {}),
  startRedis(),
]);
const env = { BENCH_SECRET, DATABASE_URL: database.url, REDIS_URL: redis.url };
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
try {
  // 1. Throughput.
  // Fresh ids for every run, more than the fastest endpoint answers in one (10,000/s for 5 s):
  // a copy costs each endpoint differently (the Redis store answers it in one round trip, the
  // journal claims it in two), so no endpoint may see one.
  const freshDeliveries = (run: number) =>
    Array.from({ length: 60_000 }, (_, index) =>
      superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample('relation.created'), EventId: `run${run}-${index}` } }),
    );
  let run = 0;
  const variants = ['insert', 'webhook-events', 'journal', 'journal-redis', 'redis'] as const;
  // The target's two endpoints again with more requests in flight: at 10 each request waits on its
  // round trips with CPU to spare, where many customers' deliveries at once keep the machine busy.
  const busy = ['webhook-events', 'journal'] as const;
  const BUSY_CONNECTIONS = 50;
  const runs = new Map<string, Measurement[]>([...variants, ...busy.map((variant) => `${variant}@${BUSY_CONNECTIONS}`)].map((variant) => [variant, []]));
  const statements = new Map<string, Map<string, { ms: number; rows: number }>>();
  if (PG_STATS) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const variant of variants) {
      const child = await startChild(server, [variant], env);
      if (PG_STATS) await pool.query('SELECT pg_stat_statements_reset()');
      try {
        runs.get(variant)!.push(await measure(child, freshDeliveries((run += 1))));
      } finally {
        await child.stop();
      }
      if (PG_STATS) {
        const { rows } = await pool.query<{ query: string; ms: number; rows: string }>('SELECT query, total_exec_time AS ms, rows FROM pg_stat_statements');
        const kept = statements.get(variant) ?? new Map<string, { ms: number; rows: number }>();
        for (const row of rows) {
          const text = row.query.replace(/\s+/g, ' ').slice(0, 70);
          const entry = kept.get(text) ?? { ms: 0, rows: 0 };
          kept.set(text, { ms: entry.ms + row.ms, rows: entry.rows + Number(row.rows) });
        }
        statements.set(variant, kept);
      }
    }
    for (const variant of busy) {
      const child = await startChild(server, [variant], env);
      try {
        runs.get(`${variant}@${BUSY_CONNECTIONS}`)!.push(await measure(child, freshDeliveries((run += 1)), BUSY_CONNECTIONS));
      } finally {
        await child.stop();
      }
    }
    process.stderr.write(`journal: round ${round}/${ROUNDS} done\n`);
  }
  const rate = (variant: string) => median(runs.get(variant)!.map((run) => run.rate));
  const cpu = (variant: string) => median(runs.get(variant)!.map((run) => run.cpuPerRequest));
  console.log(`\nSuperOffice deliveries on node:http, autocannon 10 connections, ${ROUNDS} rounds (medians); Postgres and Redis local, Postgres with fsync off; Node ${process.version}\n`);
  console.log('| endpoint | deliveries/s | server CPU per delivery | vs the journal |');
  console.log('| --- | ---: | ---: | --- |');
  const versus = (variant: string, target?: number, journal = 'journal') => {
    const ratio = rate(journal) / rate(variant);
    return `journal ÷ this = ${ratio.toFixed(2)}x${target === undefined ? '' : ` (target >= ${target}x: ${ratio >= target ? 'met' : 'MISSED'})`}`;
  };
  const row = (label: string, variant: string, versusText: string) =>
    console.log(`| ${label} | ${Math.round(rate(variant)).toLocaleString('en-US')} | ${cpu(variant).toFixed(0)} µs | ${versusText} |`);
  row('crmhooks + journal on Postgres (journal, store, dead letters)', 'journal', '');
  // Only the store differs: what running on Postgres alone costs against adding Redis for the claims.
  row('the same receiver and journal, Redis store', 'journal-redis', versus('journal-redis', 0.7));
  // What keeping the journal costs at all.
  row('crmhooks + Redis store, no journal', 'redis', `${versus('redis')} (read as the target's baseline: ${rate('journal') / rate('redis') >= 0.7 ? 'met' : 'MISSED'})`);
  row('hand-written webhook_events table: INSERT ON CONFLICT DO NOTHING, handler, UPDATE status', 'webhook-events', versus('webhook-events', 0.8));
  row('hand-written: HMAC, JSON.parse, one INSERT', 'insert', versus('insert'));
  console.log(`\nThe same, ${BUSY_CONNECTIONS} connections:\n`);
  console.log('| endpoint | deliveries/s | server CPU per delivery | vs the journal |');
  console.log('| --- | ---: | ---: | --- |');
  row('crmhooks + journal on Postgres (journal, store, dead letters)', `journal@${BUSY_CONNECTIONS}`, '');
  row('hand-written webhook_events table', `webhook-events@${BUSY_CONNECTIONS}`, versus(`webhook-events@${BUSY_CONNECTIONS}`, 0.8, `journal@${BUSY_CONNECTIONS}`));

  if (PG_STATS) {
    // Deliveries handled by each variant: the rows its first statement (the journal's write, the hand-written INSERT) wrote.
    console.log('\nPostgres time per delivery (pg_stat_statements, nested statements included; warm-up counted):\n');
    console.log('| endpoint | statement | µs per delivery |');
    console.log('| --- | --- | ---: |');
    for (const variant of ['journal', 'webhook-events'] as const) {
      const kept = [...(statements.get(variant) ?? new Map()).entries()].sort((a, b) => b[1].ms - a[1].ms);
      const deliveries = kept.find(([text]) => /claimed_provider, claimed_id FROM|INSERT INTO webhook_events/.test(text))?.[1].rows ?? 1;
      for (const [text, { ms }] of kept.slice(0, 6)) console.log(`| ${variant} | \`${text.replaceAll('|', '\\|')}\` | ${((ms * 1000) / deliveries).toFixed(1)} |`);
    }
  }

  // 2. Queries on a big journal.
  const journal = createJournal({ database: postgres(pool), tablePrefix: 'big_', pruneEveryMs: false });
  await journal.ready();
  const started = performance.now();
  await fillJournal(pool, 'big_', ROWS);
  const loadSeconds = (performance.now() - started) / 1000;
  const timed = async (filter: Parameters<typeof journal.list>[0]) => {
    const times: number[] = [];
    for (let run = 0; run < 200; run += 1) {
      const start = performance.now();
      const events = await journal.list(typeof filter === 'function' ? (filter as (run: number) => object)(run) : filter, { limit: 50 });
      times.push(performance.now() - start);
      if (events.length === 0) throw new Error('a benchmark filter matched nothing');
    }
    return `${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms`;
  };
  console.log(`\n${ROWS.toLocaleString('en-US')} journal events (loaded in ${loadSeconds.toFixed(0)} s), the newest 50 matching, 200 runs each (target p95 < 50 ms):\n`);
  console.log('| filter | p50 | p95 |');
  console.log('| --- | ---: | ---: |');
  console.log(`| none | ${await timed({})} |`);
  console.log(`| provider + state (hubspot, failed) | ${await timed({ provider: 'hubspot', state: 'failed' })} |`);
  console.log(`| state (dead) | ${await timed({ state: 'dead' })} |`);
  console.log(`| a record id (each run another) | ${await timed(((run: number) => ({ recordId: String(1 + run * 97) })) as never)} |`);

  // 3. Pruning under load: the days that ended before the 200,000 oldest events' cutoff are dropped; deliveries keep arriving.
  const cutoff = new Date(Date.now() - (ROWS - 200_000) * 2000);
  const latencies: number[] = [];
  let recording = true;
  const recorder = (async () => {
    for (let index = 0; recording; index += 1) {
      const start = performance.now();
      await journal.record({
        provider: 'superoffice',
        receivedAt: Date.now(),
        method: 'POST',
        url: undefined,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(`{"EventId":"live-${index}"}`),
        events: [{ name: 'superoffice.relation.created', deliveryId: `live-${index}`, signedAt: Date.now(), recordIds: ['1', '2'] }],
      });
      latencies.push(performance.now() - start);
    }
  })();
  const pruneStart = performance.now();
  const pruned = await journal.prune({ olderThan: cutoff });
  const pruneSeconds = (performance.now() - pruneStart) / 1000;
  recording = false;
  await recorder;
  console.log(
    `\nPruning (the whole days before the cutoff: ${pruned.toLocaleString('en-US')} events, then their claims 500 a statement) took ${pruneSeconds.toFixed(1)} s; meanwhile ${latencies.length.toLocaleString('en-US')} deliveries were recorded, ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, slowest ${Math.max(...latencies).toFixed(1)} ms (target: none over 100 ms).`,
  );
  await journal.close();
} finally {
  // Ended before Postgres stops: an idle client of a pool left open would fail the run with an unhandled error.
  await pool.end();
  await Promise.all([database.stop(), redis.stop()]);
}
