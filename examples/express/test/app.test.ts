import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { linksAfterScenario } from '@crmhooks/example-links';
import { expectScenario, exampleSettings, sendScenario } from '../../../test/support/example-scenario.js';
import { listen } from '../../../test/support/http.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { createApp } from '../src/app.js';
import { startWorker } from '../src/worker.js';

test('the Express example answers the demo scenario and keeps its link table', async () => {
  const { app, links, close } = createApp(exampleSettings);
  await links.ready(); // as main.ts does: the tables exist before the first delivery
  const server = await listen(createServer(app));
  try {
    await expectScenario(server.url);
  } finally {
    await server.close();
    await close();
  }
});

describe.runIf(redisServerAvailable())('with REDIS_URL: a receiver and a worker', () => {
  let redis: RedisServer;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.stop());

  test('the receiver answers the scenario from the queue; the worker brings the link table to the same state', async () => {
    const settings = { ...exampleSettings, redisUrl: redis.url };
    const receiver = createApp(settings);
    await receiver.links.ready();
    const worker = startWorker(settings, receiver.links); // one table, so the receiver's GET /links shows the worker's work
    const server = await listen(createServer(receiver.app));
    try {
      await sendScenario(server.url);
      await expect.poll(async () => (await fetch(`${server.url}/links`)).json(), { timeout: 60_000 }).toEqual(linksAfterScenario(true, true));
    } finally {
      await server.close();
      await worker.close();
      await receiver.close();
    }
  });
});
