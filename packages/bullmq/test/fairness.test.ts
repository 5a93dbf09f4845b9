import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { bullmqQueue, createWorker } from '@crmhooks/bullmq';
import { TenantFairness } from '@crmhooks/core';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';

const secret = 'fair-secret';
const relation = (tenant: string, eventId: string) =>
  superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant } });

describe('TenantFairness', () => {
  test('a tenant within its rate gets no priority; over it, a priority that grows with its burst; others are not touched', () => {
    const fairness = new TenantFairness({ eventsPerSecond: 10, burst: 5 });
    const at = 1_000_000;
    const busy = Array.from({ length: 100 }, () => fairness.yieldOf('busy', at));
    expect(busy.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(busy.slice(5, 9)).toEqual([1, 1, 1, 1]);
    expect(busy.at(-1)).toBe(5); // 95 over, in bursts of 5: 1 + log2(20)
    // Never lower while the burst grows: its jobs stay in order.
    expect(busy.slice(5).every((priority, index, all) => index === 0 || priority! >= all[index - 1]!)).toBe(true);
    expect(fairness.yieldOf('quiet', at)).toBeUndefined();
    // What was over drains at the tenant's rate (95 events: 9.5 s), then the bucket refills.
    expect(fairness.yieldOf('busy', at + 5_000)).toBeGreaterThan(0);
    expect(fairness.yieldOf('busy', at + 20_000)).toBeUndefined();
    expect(() => new TenantFairness({ eventsPerSecond: 0 })).toThrow(/fairness.eventsPerSecond must be a positive number/);
  });
});

describe.runIf(redisServerAvailable())('one customer\'s burst never holds back another\'s (real BullMQ, 4 workers)', () => {
  let redis: RedisServer;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.stop());

  /** A burst of 2,000 events from one tenant, and one event every 100 ms from another while it drains: how long the quiet ones waited to start. */
  async function burstAndQuiet(name: string, fairness: false | undefined) {
    const queue = new Queue(name, { connection: { url: redis.url } });
    const receiver = createWebhooks({ providers: [superoffice({ secret })], queue: bullmqQueue(queue, fairness === false ? { fairness } : {}), logger: false });
    const handlers = createWebhooks({ providers: [superoffice({ secret })], logger: false });
    const answeredAt = new Map<string, number>();
    const waited: number[] = [];
    let burstHandled = 0;
    handlers.on('superoffice.relation.created', async (event, { deliveryId }) => {
      if (event.ContextIdentifier === 'Quiet') waited.push(performance.now() - answeredAt.get(deliveryId)!);
      else burstHandled += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    for (let index = 0; index < 2000; index += 1) expect((await receiver.receive(relation('Bulk', `bulk-${index}`))).status).toBe(200);
    const workers = Array.from({ length: 4 }, () => createWorker(handlers, name, { connection: { url: redis.url, maxRetriesPerRequest: null }, concurrency: 1 }));
    try {
      for (let index = 0; burstHandled < 1800; index += 1) {
        const id = `quiet-${index}`;
        // From when it was sent: a free worker may start it before the receiver has answered.
        answeredAt.set(id, performance.now());
        expect((await receiver.receive(relation('Quiet', id))).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await expect.poll(() => waited.length, { timeout: 30_000 }).toBe(answeredAt.size);
    } finally {
      await Promise.all(workers.map((worker) => worker.close({ graceMs: 1000 })));
      await queue.close();
    }
    return waited.sort((a, b) => a - b);
  }

  test('with fairness (the default), the quiet tenant\'s events start at once while the burst drains; without it, they wait behind it', { timeout: 120_000 }, async () => {
    const fair = await burstAndQuiet('fair-on', undefined);
    const p99 = fair[Math.min(fair.length - 1, Math.floor(fair.length * 0.99))]!;
    expect(fair.length).toBeGreaterThan(10);
    expect(p99).toBeLessThan(1000);
    const unfair = await burstAndQuiet('fair-off', false);
    console.log(`quiet tenant's wait to start, during a 2,000-event burst: fair p50 ${fair[fair.length >> 1]!.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; first come first served: max ${unfair.at(-1)!.toFixed(0)} ms`);
    expect(unfair.at(-1)!).toBeGreaterThan(2_000);
  });
});
