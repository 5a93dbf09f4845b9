/**
 * The pg-boss hand-off beside the BullMQ one, both behind Express with the journal on Postgres as
 * journal, store and dead-letter sink: deliveries acknowledged per second and the server's CPU
 * per delivery (hand-off alone), then answer times while a worker in the same process runs
 * handlers that take 200 ms. Starts its own redis-server and Postgres.
 */
import { fileURLToPath } from 'node:url';
import { measure, measureLatency, prepareDeliveries, startChild, BENCH_SECRET } from '../../../bench/support/http-bench.js';
import { startPostgres } from '../../../test/support/postgres-server.js';
import { startRedis } from '../../../test/support/redis-server.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
const env = { BENCH_SECRET, REDIS_URL: redis.url, DATABASE_URL: postgres.url };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
try {
  const { deliveries } = prepareDeliveries();
  const kinds = [
    ['bullmq', 'BullMQ (job in Redis)'],
    ['pg-boss', 'pg-boss (job in Postgres, one transaction with the journal)'],
  ] as const;
  // Rounds alternate the two, so that a machine getting busier weighs on both alike.
  const rates = new Map<string, { rate: number[]; cpu: number[]; p50: number[]; p99: number[] }>(kinds.map(([kind]) => [kind, { rate: [], cpu: [], p50: [], p99: [] }]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [kind] of kinds) {
      const row = rates.get(kind)!;
      const alone = await startChild(server, [kind, 'none'], env);
      try {
        const { rate, cpuPerRequest } = await measure(alone, deliveries.superoffice);
        row.rate.push(rate);
        row.cpu.push(cpuPerRequest);
      } finally {
        await alone.stop();
      }
      const working = await startChild(server, [kind, '200'], env);
      try {
        const { p50, p99 } = await measureLatency(working, deliveries.superoffice);
        row.p50.push(p50);
        row.p99.push(p99);
      } finally {
        await working.stop();
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const base = median(rates.get('bullmq')!.rate);
  console.log(`\nQueue hand-offs, journal on Postgres as journal, store and dead-letter sink (SuperOffice, medians of ${ROUNDS} rounds):\n`);
  console.log('| hand-off | deliveries/s | vs BullMQ | server CPU per delivery | answer p50 / p99, 200 ms handlers on a worker |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [kind, label] of kinds) {
    const row = rates.get(kind)!;
    console.log(
      `| ${label} | ${Math.round(median(row.rate))} | ${(median(row.rate) / base).toFixed(2)}x | ${Math.round(median(row.cpu))} µs | ${median(row.p50)} / ${median(row.p99)} ms |`,
    );
  }
} finally {
  await Promise.all([redis.stop(), postgres.stop()]);
}
