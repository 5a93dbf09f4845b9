import { createServer } from 'node:http';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { fromIoredis, RedisIdempotencyStore, type RedisStoreClient } from '@crmhooks/redis';
import { bullmqQueue, createWorker } from '@crmhooks/bullmq';
import { listen, post } from '../../../test/support/http.js';
import { redisServerAvailable } from '../../../test/support/redis-server.js';
import { startRedisCluster, type RedisCluster } from '../../../test/support/redis-cluster.js';

const secret = 'failover-secret';
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
/** SuperOffice's schedule: the first try, then +1 s and +4 s after it. */
const SUPEROFFICE_TRIES_MS = [0, 1000, 4000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(redisServerAvailable())('a Redis Cluster primary SIGKILLed under load (receiver, Redis store and BullMQ hand-off on the cluster)', () => {
  // A fresh cluster for each test (the one before lost a primary). A node is failed after 1 s
  // without an answer (Redis's default is 15 s): see the scaling guide.
  let cluster: RedisCluster;
  beforeEach(async () => void (cluster = await startRedisCluster({ nodeTimeoutMs: 1000 })), 90_000);
  afterEach(async () => cluster?.stop());

  /** The store's cluster client, as each library makes it, and how to close it. */
  const storeClients = {
    'node-redis createCluster': async () => {
      const client = createCluster({
        rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
        // node-redis asks who serves a slot 5 s after a node stops answering, by default: too late for SuperOffice's +4 s.
        topologyRefreshOnReconnectionAttemptStrategy: 500,
      });
      client.on('error', () => undefined);
      await client.connect();
      return { client: client as RedisStoreClient, close: () => client.close() };
    },
    'ioredis Cluster': async () => {
      const client = new Cluster([...cluster.nodes]);
      client.on('error', () => undefined);
      return { client: fromIoredis(client), close: () => client.quit() };
    },
  };

  // ioredis, which the guide recommends, must lose nothing; node-redis recovers 3.5 to 4.5 s after the kill, so a
  // few events beside other tests miss SuperOffice's +4 s: its figures are printed, and only what it acknowledged is checked.
  test.each(Object.keys(storeClients) as (keyof typeof storeClients)[])("store on %s: 40 SuperOffice deliveries a second, the queue's primary killed at 3 s: every event gets its 200 within SuperOffice's tries, each handled once, workers resume", { timeout: 120_000 }, async (kind) => {
    const closing: (() => Promise<unknown>)[] = [];
    const { client: storeClient, close: closeStore } = await storeClients[kind]();
    closing.push(closeStore);
    const store = new RedisIdempotencyStore({ client: storeClient });
    store.onWarning(() => undefined);
    const queue = new Queue('crm-events', { connection: new Cluster([...cluster.nodes]), prefix: '{crm-events}' });
    queue.on('error', () => undefined);
    closing.push(() => queue.close());
    const receiver = createWebhooks({ providers: [superoffice({ secret })], store, queue: bullmqQueue(queue), logger: process.env.FAILOVER_DEBUG ? undefined : false });
    const server = await listen(createServer(createNodeHandler(receiver)));
    closing.push(() => server.close());

    const handled = new Map<string, number>();
    const handlers = createWebhooks({ providers: [superoffice({ secret })], logger: false });
    handlers.on('superoffice.relation.created', (_event, { deliveryId }) => void handled.set(deliveryId, (handled.get(deliveryId) ?? 0) + 1));
    for (let index = 0; index < 2; index += 1) {
      const worker = createWorker(handlers, queue.name, {
        connection: new Cluster([...cluster.nodes], { redisOptions: { maxRetriesPerRequest: null } }),
        prefix: `{${queue.name}}`,
        concurrency: 5,
      });
      worker.worker.on('error', () => undefined);
      closing.push(() => worker.close({ graceMs: 1000 }));
    }

    const victim = await cluster.primaryOf(`{${queue.name}}`);
    const started = performance.now();
    const acknowledged = new Set<string>();
    const refused: number[] = [];
    const lost: string[] = [];
    const deliveries: Promise<void>[] = [];
    let killedAt = 0;
    for (let index = 0; performance.now() - started < 12_000; index += 1) {
      if (killedAt === 0 && performance.now() - started >= 3_000) {
        killedAt = performance.now() - started;
        await cluster.servers.find((server) => server.port === victim.port)!.kill();
      }
      const id = `failover-${index}`;
      const sentAt = performance.now();
      deliveries.push(
        (async () => {
          for (const at of SUPEROFFICE_TRIES_MS) {
            await sleep(Math.max(0, sentAt + at - performance.now()));
            const answer = await post(server.url, relation(id)).catch(() => ({ status: 0 }));
            if (answer.status === 200) return void acknowledged.add(id);
            refused.push(performance.now() - started);
            if (process.env.FAILOVER_DEBUG) console.log(((performance.now() - started) / 1000).toFixed(1), answer.status, 'body' in answer ? JSON.stringify(answer.body).slice(0, 200) : '');
          }
          lost.push(id);
        })(),
      );
      await sleep(25);
    }
    await Promise.all(deliveries);
    await expect.poll(() => [...acknowledged].filter((id) => !handled.has(id)).length, { timeout: 30_000, interval: 200 }).toBe(0);
    const twice = [...handled.values()].filter((count) => count > 1).length;
    const window = refused.length === 0 ? 'none' : `${((Math.min(...refused) - killedAt) / 1000).toFixed(1)} s to ${((Math.max(...refused) - killedAt) / 1000).toFixed(1)} s after the kill`;
    console.log(
      `failover (store on ${kind}): ${deliveries.length} deliveries, primary killed at ${(killedAt / 1000).toFixed(1)} s; ${refused.length} tries refused (${window}); ` +
        `${lost.length} events without a 200 in SuperOffice's three tries; ${acknowledged.size} acknowledged, all handled; ${twice} handled twice`,
    );
    if (kind === 'ioredis Cluster') expect(lost).toEqual([]);
    expect(twice).toBe(0);
    // Workers resumed: what was acknowledged after the failover was handled too (checked above for every id).
    expect([...acknowledged].some((id) => Number(id.split('-')[1]) * 25 > killedAt + 5_000)).toBe(true);
    for (const close of closing.reverse()) await close().catch(() => undefined);
  });
});
