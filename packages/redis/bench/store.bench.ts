/**
 * Deliveries per second through `receive` with the Redis store against a hand-written
 * node-redis store doing the same two commands per delivery (the floor), and against the
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

/** The floor: the two commands per delivery written by hand, no token, no release bookkeeping. */
const handWritten: IdempotencyStore = {
  leaseMs: 3_000,
  renew: async (provider, id) => (await client.pExpire(`floor:${provider}:${id}`, 3_000)) === 1,
  claim: async (provider, id) => {
    const previous = await client.set(`floor:${provider}:${id}`, 'claimed', { condition: 'NX', expiration: { type: 'PX', value: 3_000 }, GET: true });
    return previous === null ? 'claimed' : previous === 'completed' ? 'completed' : 'in_progress';
  },
  complete: async (provider, id) => void (await client.set(`floor:${provider}:${id}`, 'completed', { expiration: { type: 'PX', value: 86_400_000 } })),
  release: async (provider, id) => void (await client.del(`floor:${provider}:${id}`)),
};

async function rate(store: IdempotencyStore, round: number, label: string): Promise<number> {
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger: false });
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

const best = { memory: 0, floor: 0, redis: 0 };
for (let round = 0; round < ROUNDS; round += 1) {
  best.memory = Math.max(best.memory, await rate(new MemoryIdempotencyStore(), round, 'memory'));
  best.floor = Math.max(best.floor, await rate(handWritten, round, 'floor'));
  best.redis = Math.max(best.redis, await rate(new RedisIdempotencyStore({ client }), round, 'redis'));
}
await client.quit();
await redis.stop();

console.log(`\n${DELIVERIES.toLocaleString('en-US')} SuperOffice deliveries through receive, ${IN_FLIGHT} in flight, best of ${ROUNDS} interleaved rounds; Node ${process.version}\n`);
const row = (label: string, rate: number, target = '') =>
  console.log(`| ${label} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / best.floor).toFixed(3)}x | ${(rate / best.memory).toFixed(3)}x | ${target} |`);
console.log('| store | deliveries/s | vs hand-written Redis floor | vs in-memory | target |');
console.log('| --- | ---: | ---: | ---: | --- |');
row('hand-written node-redis store: SET NX PX GET, then SET PX (floor)', best.floor);
row('RedisIdempotencyStore (local redis-server)', best.redis, best.redis / best.floor >= 0.8 ? '>= 0.8x floor: met' : '>= 0.8x floor: MISSED');
row('MemoryIdempotencyStore', best.memory);
