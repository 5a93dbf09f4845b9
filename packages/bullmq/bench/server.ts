/**
 * A bench server in its own process: `node server.js <variant> superoffice`, variants:
 * - `bare`: a hand-written endpoint: express.raw + HMAC check + queue.add with the same job id and options;
 * - `crmhooks`: @crmhooks/express with the BullMQ hand-off;
 * - `inline-200` / `queued-200`: handlers that take 200 ms, run in the request or on a worker in this process.
 * With CLUSTER_NODES (JSON `[{ host, port }]`), `crmhooks` queues on that Redis Cluster, over SHARDS queues (default 1)
 * whose tags are CLUSTER_TAGS (JSON), one per shard; WAIT_REPLICAS=1 answers once a replica has each job.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import express from 'express';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { createWebhooks, MemoryIdempotencyStore, superoffice } from '@crmhooks/core';
import { crmhooks } from '@crmhooks/express';
import { bullmqQueue, createWorker, DEFAULT_JOB_OPTIONS, jobIdOf } from '@crmhooks/bullmq';
import { announce, DISTINCT_DELIVERIES, ROUTE } from '../../../bench/support/bench-server.js';

const [variant] = process.argv.slice(2);
const secret = process.env.BENCH_SECRET ?? '';
const queueName = `bench-${variant}-${process.pid}`;
const connection = { url: process.env.REDIS_URL!, enableOfflineQueue: false };
const clusterNodes = process.env.CLUSTER_NODES ? (JSON.parse(process.env.CLUSTER_NODES) as { host: string; port: number }[]) : undefined;
const tags = process.env.CLUSTER_TAGS ? (JSON.parse(process.env.CLUSTER_TAGS) as string[]) : [];
const queue = new Queue(queueName, { connection });
const clusterQueues = clusterNodes && tags.map((tag) => new Queue(queueName, { connection: new Cluster(clusterNodes), prefix: `{${tag}}` }));
const app = express();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (variant === 'bare') {
  app.post(ROUTE, express.raw({ type: 'application/json', limit: '1mb' }), async (request, response) => {
    const body = request.body as Buffer;
    const expected = createHmac('sha256', secret).update(body).digest();
    const given = Buffer.from(String(request.headers['x-superoffice-signature']), 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void response.status(401).json({ error: 'invalid signature' });
    const event = JSON.parse(body.toString('utf8')) as { Event: string; EventId: string };
    const queued = { provider: 'superoffice', name: `superoffice.${event.Event}`, deliveryId: event.EventId, payload: event };
    await queue.add(queued.name, queued, { ...DEFAULT_JOB_OPTIONS, jobId: jobIdOf(queued) });
    response.status(200).json({ ok: true });
  });
} else {
  const queued = variant !== 'inline-200';
  const webhooks = createWebhooks({
    providers: [superoffice({ secret })],
    store: new MemoryIdempotencyStore({ maxEntries: DISTINCT_DELIVERIES / 2 }),
    ...(queued && { queue: bullmqQueue(clusterQueues ?? queue, { waitForReplicas: Number(process.env.WAIT_REPLICAS ?? 0) }) }),
  });
  if (variant !== 'crmhooks') {
    webhooks.on('superoffice.relation.created', () => sleep(200)); // a handler calling another API
    if (queued) createWorker(webhooks, queueName, { connection: { url: process.env.REDIS_URL!, maxRetriesPerRequest: null }, concurrency: 100 });
  }
  app.post(ROUTE, crmhooks(webhooks));
}
announce(createServer(app));
