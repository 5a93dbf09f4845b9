/**
 * One customer's burst against a quiet one, on BullMQ with 4 workers (concurrency 1, handlers
 * that wait 5 ms, as one that calls an API): 20,000 events from one tenant are queued, then
 * the workers start and another tenant sends one event a second until the burst is handled.
 * How long the quiet tenant's events waited to start (p50, p99, the longest), and the burst's
 * own rate, with the hand-off's fairness (the default) and first come first served, rounds
 * alternating. Target: the quiet tenant's p99 under 2 s; the burst's rate at least 0.9x FIFO.
 */
import { Queue } from 'bullmq';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { bullmqQueue, createWorker } from '@crmhooks/bullmq';
import { BENCH_SECRET } from '../../../bench/support/http-bench.js';
import { median } from '../../../bench/support/median.js';
import { startRedis } from '../../../test/support/redis-server.js';

const BURST = Number(process.env.BENCH_BURST ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const relation = (tenant: string, eventId: string) =>
  superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant } });

const redis = await startRedis();
let run = 0;
async function burst(fair: boolean): Promise<{ rate: number; waits: number[] }> {
  const name = `fairness-${(run += 1)}`;
  const queue = new Queue(name, { connection: { url: redis.url } });
  const providers = [superoffice({ secret: BENCH_SECRET })];
  const receiver = createWebhooks({ providers, queue: bullmqQueue(queue, fair ? {} : { fairness: false }), logger: false });
  const handlers = createWebhooks({ providers, logger: false });
  const answeredAt = new Map<string, number>();
  const waits: number[] = [];
  let handled = 0;
  handlers.on('superoffice.relation.created', async (event, { deliveryId }) => {
    if (event.ContextIdentifier === 'Quiet') waits.push(performance.now() - answeredAt.get(deliveryId)!);
    else handled += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
  const deliveries = Array.from({ length: BURST }, (_, index) => relation('Bulk', `${name}-${index}`));
  for (let index = 0; index < deliveries.length; index += 100) {
    await Promise.all(deliveries.slice(index, index + 100).map(async (delivery) => {
      if ((await receiver.receive(delivery)).status !== 200) throw new Error('a burst delivery was not queued');
    }));
  }
  const started = performance.now();
  const workers = Array.from({ length: 4 }, () => createWorker(handlers, name, { connection: { url: redis.url, maxRetriesPerRequest: null }, concurrency: 1 }));
  for (let index = 0; handled < BURST; index += 1) {
    const id = `${name}-quiet-${index}`;
    // From when it was sent: a free worker may start it before the receiver has answered.
    answeredAt.set(id, performance.now());
    if ((await receiver.receive(relation('Quiet', id))).status !== 200) throw new Error('a quiet delivery was not queued');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const rate = BURST / ((performance.now() - started) / 1000);
  while (waits.length < answeredAt.size) await new Promise((resolve) => setTimeout(resolve, 50));
  await Promise.all(workers.map((worker) => worker.close({ graceMs: 1000 })));
  await queue.obliterate({ force: true });
  await queue.close();
  return { rate, waits };
}

try {
  const results = { fair: [] as { rate: number; waits: number[] }[], fifo: [] as { rate: number; waits: number[] }[] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    results.fifo.push(await burst(false));
    results.fair.push(await burst(true));
    process.stderr.write(`fairness: round ${round}/${ROUNDS} done\n`);
  }
  console.log(`\nA burst of ${BURST.toLocaleString('en-US')} events from one tenant, one event a second from another, 4 workers, 5 ms handlers, ${ROUNDS} rounds; Node ${process.version}\n`);
  console.log("| queue | quiet tenant's wait to start (from sending): p50 | p99 | longest | the burst's rate | vs first come first served |");
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const [label, runs] of [['first come first served (`fairness: false`)', results.fifo], ['fair (the default)', results.fair]] as const) {
    const waits = runs.flatMap((one) => one.waits);
    const rate = median(runs.map((one) => one.rate));
    const ratio = rate / median(results.fifo.map((one) => one.rate));
    console.log(
      `| ${label} | ${percentile(waits, 50).toFixed(0)} ms | ${percentile(waits, 99).toFixed(0)} ms | ${Math.max(...waits).toFixed(0)} ms | ${Math.round(rate).toLocaleString('en-US')} events/s | ${ratio.toFixed(2)}x${runs === results.fair ? ` (target >= 0.9x: ${ratio >= 0.9 ? 'met' : 'MISSED'}; p99 under 2 s: ${percentile(waits, 99) < 2000 ? 'met' : 'MISSED'})` : ''} |`,
    );
  }
} finally {
  await redis.stop();
}
