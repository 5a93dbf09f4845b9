/**
 * Express with the BullMQ hand-off against a hand-written endpoint that verifies the HMAC and
 * calls queue.add itself (requests/s, same run); then answer times with 200 ms handlers, run in
 * the request or handed to a worker. Starts its own redis-server.
 */
import { fileURLToPath } from 'node:url';
import { compare, measureLatency, prepareDeliveries, printTable, startChild, BENCH_SECRET } from '../../../bench/support/http-bench.js';
import { startRedis } from '../../../test/support/redis-server.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
const redis = await startRedis();
process.env.REDIS_URL = redis.url;
try {
  printTable([await compare('Express 5 + BullMQ hand-off', server, ['superoffice'])]);

  const { deliveries } = prepareDeliveries();
  console.log('\nAnswer time with handlers that take 200 ms (SuperOffice, autocannon, 10 connections):\n');
  console.log('| handlers run | p50 | p99 |');
  console.log('| --- | ---: | ---: |');
  for (const [variant, label] of [['inline-200', 'in the request (default)'], ['queued-200', 'on a BullMQ worker (hand-off)']] as const) {
    const child = await startChild(server, [variant, 'superoffice'], { BENCH_SECRET });
    try {
      const { p50, p99 } = await measureLatency(child, deliveries.superoffice);
      console.log(`| ${label} | ${p50} ms | ${p99} ms |`);
    } finally {
      await child.stop();
    }
  }
} finally {
  await redis.stop();
}
