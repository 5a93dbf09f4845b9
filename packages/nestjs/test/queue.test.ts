import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { bullmqQueue, bullmqWorker } from '@crmhooks/bullmq';
import { CrmHooksModule } from '@crmhooks/nestjs';
import { post } from '../../../test/support/http.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { receiverOptions, secret, startApp } from './app.fixture.js';

const ROUTE = '/webhooks/crm';
const delivery = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe.runIf(redisServerAvailable())(`NestJS ${process.env.NEST_MAJOR}: the module as receiver, worker, or both, on BullMQ`, () => {
  let redis: RedisServer;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.stop());

  test('a receiver app queues events without running handlers; a worker app runs the decorated methods', async () => {
    const name = `nest-split-${process.env.NEST_MAJOR}`;
    const queue = new Queue(name, { connection: { url: redis.url, enableOfflineQueue: false } });
    const worker = bullmqWorker(name, { connection: { url: redis.url, maxRetriesPerRequest: null } });
    const receiverApp = await startApp('express', CrmHooksModule.forRoot({ ...receiverOptions(), queue: bullmqQueue(queue), worker, mode: 'receiver' }));
    const workerApp = await startApp('fastify', CrmHooksModule.forRoot({ ...receiverOptions(), worker, mode: 'worker' }));
    try {
      expect((await post(receiverApp.url + ROUTE, delivery('split-1'))).status).toBe(200);
      expect((await fetch(workerApp.url + ROUTE, { method: 'POST' })).status).toBe(404); // a worker registers no route
      await expect.poll(() => workerApp.recorder.seen(), { timeout: 10_000 }).toEqual(
        expect.arrayContaining(['superOfficeCreated <- superoffice.relation.created', 'anyCreated <- association.created']),
      );
      expect(receiverApp.recorder.calls).toEqual([]);
      expect(workerApp.recorder.calls.find((call) => call.method === 'superOfficeCreated')?.payload).toBe(2); // typed payload, from the job
    } finally {
      await receiverApp.close();
      await workerApp.close();
      await queue.close();
    }
  });

  test("mode 'both' answers from the queue and runs the handlers in the same app; shutdown closes the worker", async () => {
    const name = `nest-both-${process.env.NEST_MAJOR}`;
    const queue = new Queue(name, { connection: { url: redis.url, enableOfflineQueue: false } });
    const app = await startApp(
      'express',
      CrmHooksModule.forRoot({ ...receiverOptions(), queue: bullmqQueue(queue), worker: bullmqWorker(name, { connection: { url: redis.url, maxRetriesPerRequest: null } }) }),
    );
    try {
      expect((await post(app.url + ROUTE, delivery('both-1'))).status).toBe(200);
      await expect.poll(() => app.recorder.seen(), { timeout: 10_000 }).toContain('superOfficeCreated <- superoffice.relation.created');
    } finally {
      await app.close();
      await queue.close();
    }
  });

  test("mode 'worker' without a worker fails at startup, saying what to pass", async () => {
    await expect(startApp('express', CrmHooksModule.forRoot({ ...receiverOptions(), mode: 'worker' }))).rejects.toThrow(/no worker is configured.*bullmqWorker/);
  });
});
