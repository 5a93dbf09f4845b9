/**
 * Deliveries per second through `receive` with the Redis store against the
 * in-memory store, same deliveries, same run. Starts its own redis-server.
 */
import { createClient } from 'redis';
import { createWebhooks, MemoryIdempotencyStore, superoffice, type IdempotencyStore } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { RedisIdempotencyStore } from '@crmhooks/redis';
import { startRedis } from '../../../test/support/redis-server.js';

const DELIVERIES = 10_000;
const IN_FLIGHT = 32;
const ROUNDS = 3;
const secret = 'bench-secret';

const redis = await startRedis();
const client = createClient({ url: redis.url, disableOfflineQueue: true });
await client.connect();

async function rate(store: IdempotencyStore, round: number, label: string): Promise<number> {
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], store });
  webhooks.on('superoffice.relation.created', () => undefined);
  const deliveries = Array.from({ length: DELIVERIES }, (_, index) =>
    superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: `${label}-${round}-${index}` } }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < deliveries.length) {
        const outcome = await webhooks.receive(deliveries[next++]!);
        if (outcome.status !== 200) throw new Error(`unexpected ${outcome.status}`);
      }
    }),
  );
  return DELIVERIES / ((performance.now() - started) / 1000);
}

const best = { memory: 0, redis: 0 };
for (let round = 0; round < ROUNDS; round += 1) {
  best.memory = Math.max(best.memory, await rate(new MemoryIdempotencyStore(), round, 'memory'));
  best.redis = Math.max(best.redis, await rate(new RedisIdempotencyStore({ client }), round, 'redis'));
}
await client.quit();
await redis.stop();

console.log(`\n${DELIVERIES.toLocaleString('en-US')} SuperOffice deliveries through receive, ${IN_FLIGHT} in flight, best of ${ROUNDS} interleaved rounds; Node ${process.version}\n`);
console.log('| store | deliveries/s | vs in-memory |');
console.log('| --- | ---: | ---: |');
console.log(`| MemoryIdempotencyStore | ${Math.round(best.memory).toLocaleString('en-US')} | 1.000x |`);
console.log(`| RedisIdempotencyStore (local redis-server) | ${Math.round(best.redis).toLocaleString('en-US')} | ${(best.redis / best.memory).toFixed(3)}x |`);
