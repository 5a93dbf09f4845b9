import { createServer } from 'node:http';
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigurationError, createWebhooks, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { bullmqQueue, createWorker } from '@crmhooks/bullmq';
import { listen, post } from '../../../test/support/http.js';
import { redisServerAvailable } from '../../../test/support/redis-server.js';
import { startRedisCluster, type RedisCluster } from '../../../test/support/redis-cluster.js';

const secret = 'cluster-secret';
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe.runIf(redisServerAvailable())('@crmhooks/bullmq on a Redis Cluster (three primaries, three replicas)', () => {
  let cluster: RedisCluster;
  const opened: { close(): Promise<unknown> }[] = [];
  beforeAll(async () => void (cluster = await startRedisCluster()), 90_000);
  afterAll(async () => {
    for (const one of opened.reverse()) await one.close().catch(() => undefined);
    await cluster?.stop();
  });
  const connect = (options: { maxRetriesPerRequest?: null } = {}) => {
    const client = new Cluster([...cluster.nodes], { redisOptions: options });
    opened.push({ close: () => client.quit() });
    return client;
  };

  test('a queue or a worker whose keys carry no hash tag is refused at start, with the fix', () => {
    const queue = new Queue('crm-events', { connection: connect() });
    opened.push(queue);
    const refusal = (() => {
      try {
        bullmqQueue(queue);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ConfigurationError);
    expect((refusal as Error).message).toMatch(/carry no hash tag.*CROSSSLOT.*prefix: '\{crm-events\}'/s);
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], logger: false });
    expect(() => createWorker(webhooks, 'crm-events', { connection: connect({ maxRetriesPerRequest: null }) })).toThrow(/queue "crm-events" is on a Redis Cluster.*createWorker\(webhooks, 'crm-events', \{ connection, prefix: '\{crm-events\}' \}\)/s);
  });

  test('a cluster node reached with a single-node client: ready() refuses, naming the Cluster client to use', async () => {
    const single = new Redis({ host: '127.0.0.1', port: cluster.nodes[0]!.port, maxRetriesPerRequest: 1 });
    const queue = new Queue('misconnected', { connection: single, prefix: '{misconnected}' });
    opened.push(queue, { close: () => single.quit() });
    const handOff = bullmqQueue(queue);
    handOff.onWarning?.(() => undefined);
    await expect(handOff.ready()).rejects.toThrow(/a node of a Redis Cluster.*new Cluster\(\[\{ host, port \}, \.\.\.\]\)/s);
  });

  test('with hash-tagged prefixes, queues of their own are spread over the shards, and every delivery is handled once', async () => {
    // Two queues, each with a tag of its own, whose slots two different primaries serve.
    const names: string[] = [];
    const primaries: { port: number }[] = [];
    for (const suffix of 'abcdefghij') {
      const primary = await cluster.primaryOf(`{crm-events-${suffix}}`);
      if (primaries.some((one) => one.port === primary.port)) continue;
      names.push(`crm-events-${suffix}`);
      primaries.push(primary);
      if (names.length === 2) break;
    }
    expect(names).toHaveLength(2);
    const handled: string[] = [];
    const urls: string[] = [];
    for (const name of names) {
      const queue = new Queue(name, { connection: connect(), prefix: `{${name}}` });
      opened.push(queue);
      const receiver = createWebhooks({ providers: [superoffice({ secret })], queue: bullmqQueue(queue), logger: false });
      const server = await listen(createServer(createNodeHandler(receiver)));
      opened.push(server);
      urls.push(server.url);
      const workerSide = createWebhooks({ providers: [superoffice({ secret })], logger: false });
      workerSide.on('superoffice.relation.created', (_event, { deliveryId }) => void handled.push(`${name} ${deliveryId}`));
      const worker = createWorker(workerSide, name, { connection: connect({ maxRetriesPerRequest: null }), prefix: `{${name}}`, concurrency: 5 });
      opened.push({ close: () => worker.close({ graceMs: 1000 }) });
    }
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, index) => {
        const delivery = relation(`cluster-${index}`);
        const url = urls[index % 2]!;
        // Each delivery twice, as a CRM retry would: one job.
        const [first, copy] = [await post(url, delivery), await post(url, delivery)];
        return [first.status, copy.status];
      }),
    );
    expect(answers.flat().every((status) => status === 200)).toBe(true);
    await expect.poll(() => handled.length, { timeout: 15_000 }).toBe(40);
    expect(new Set(handled).size).toBe(40);
    expect(handled.filter((entry) => entry.startsWith(`${names[0]} `)).length).toBe(20);
    // The jobs of each queue live on its own primary.
    for (const [index, name] of names.entries()) {
      const node = new Redis({ host: '127.0.0.1', port: primaries[index]!.port });
      opened.push({ close: () => node.quit() });
      expect((await node.keys(`{${name}}:${name}:*`)).length).toBeGreaterThan(0);
    }
  });

  test("one receiver, one queue per shard: each tenant's jobs go to one queue, chosen by the tenant; every delivery handled once", async () => {
    // Three tags whose slots three different primaries serve.
    const names: string[] = [];
    const ports = new Set<number>();
    for (let suffix = 0; names.length < 3 && suffix < 100; suffix += 1) {
      const { port } = await cluster.primaryOf(`{shard-${suffix}}`);
      if (ports.has(port)) continue;
      ports.add(port);
      names.push(`shard-${suffix}`);
    }
    const queues = names.map((name) => new Queue(name, { connection: connect(), prefix: `{${name}}` }));
    opened.push(...queues);
    const receiver = createWebhooks({ providers: [superoffice({ secret })], queue: bullmqQueue(queues), logger: false });
    const handled: string[] = [];
    const byQueue = new Map<string, Set<string>>();
    for (const name of names) {
      const workerSide = createWebhooks({ providers: [superoffice({ secret })], logger: false });
      workerSide.on('superoffice.relation.created', (event, { deliveryId }) => {
        handled.push(deliveryId);
        byQueue.set(name, (byQueue.get(name) ?? new Set()).add(String(event.ContextIdentifier)));
      });
      const worker = createWorker(workerSide, name, { connection: connect({ maxRetriesPerRequest: null }), prefix: `{${name}}`, concurrency: 5 });
      opened.push({ close: () => worker.close({ graceMs: 1000 }) });
    }
    const tenantOf = (index: number) => `Cust${index % 30}`;
    for (let index = 0; index < 90; index += 1) {
      const delivery = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: `sharded-${index}`, ContextIdentifier: tenantOf(index) } });
      expect((await receiver.receive(delivery)).status).toBe(200);
      expect((await receiver.receive(delivery)).status).toBe(200); // a copy: no second job
    }
    await expect.poll(() => handled.length, { timeout: 15_000 }).toBe(90);
    expect(new Set(handled).size).toBe(90);
    // Every queue took some tenants, and no tenant was split over two queues.
    expect(byQueue.size).toBe(3);
    const tenants = [...byQueue.values()].flatMap((set) => [...set]);
    expect(new Set(tenants).size).toBe(tenants.length);
    expect(tenants.length).toBe(30);
  });

  test('waitForReplicas: a delivery is answered once a replica has its job; with the replica gone, it is answered so that the CRM retries', async () => {
    const queue = new Queue('replicated', { connection: connect(), prefix: '{replicated}' });
    opened.push(queue);
    const logged: string[] = [];
    const receiver = createWebhooks({
      providers: [superoffice({ secret })],
      queue: bullmqQueue(queue, { waitForReplicas: 1, waitForReplicasMs: 300 }),
      logger: { warn: (_fields, message) => void logged.push(message), error: (_fields, message) => void logged.push(message) },
    });
    expect((await receiver.receive(relation('replicated-1'))).status).toBe(200);
    const primary = await cluster.primaryOf('{replicated}');
    const replica = cluster.replicaOf(primary.port);
    await cluster.servers.find((server) => server.port === replica.port)!.kill();
    const answer = await receiver.receive(relation('replicated-2'));
    expect(answer.status).toBe(503);
    expect(logged.join('\n')).toMatch(/0 of the 1 replicas asked for \(waitForReplicas\) had it within 300 ms/);
    // The job itself was stored: the CRM's retry finds it, and no second job is made.
    expect(await queue.getJob('superoffice-replicated-2')).toBeDefined();
  });
});
