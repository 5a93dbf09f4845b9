import express from 'express';
import { Queue } from 'bullmq';
import { bullmqQueue } from '@crmhooks/bullmq';
import { config, LinkTable } from '@crmhooks/example-links';
import { crmhooks } from '@crmhooks/express';
import { createInspector } from '@crmhooks/inspector';
import { QUEUE, receiver, registerHandlers } from './receiver.js';

/**
 * The Express app. Without REDIS_URL its handlers run in the request; with it, verified
 * events go to a BullMQ queue and `src/worker.ts` runs the handlers. GET /links shows the link
 * table, GET /journal the deliveries kept by provider and state.
 */
export function createApp(settings = config(), links = new LinkTable('express', settings)) {
  const queue = settings.redisUrl ? new Queue(QUEUE, { connection: { url: settings.redisUrl, enableOfflineQueue: false } }) : undefined;
  // The journal keeps every delivery, and is the idempotency store: see GET /journal.
  const webhooks = receiver(settings, { ...links.receiverOptions(), ...(queue && { queue: bullmqQueue(queue) }) });
  if (!queue) registerHandlers(webhooks, links);

  const app = express();
  app.post('/webhooks/crm', crmhooks(webhooks)); // before express.json(): raw bytes
  app.use(express.json());
  app.get('/links', async (request, response) => void response.json(await links.rows(typeof request.query.tenant === 'string' ? request.query.tenant : undefined)));
  app.get('/journal', async (_request, response) => void response.json(await links.journal.summary()));
  // The journal inspector: on your own machine for loopback clients only; elsewhere behind INSPECTOR_TOKEN.
  const token = process.env.INSPECTOR_TOKEN;
  const inspector = createInspector({
    journal: links.journal,
    webhooks,
    mirror: links.mirror,
    ...(token ? { authorize: (request: Request) => request.headers.get('authorization') === `Bearer ${token}` } : { localOnly: true }),
  });
  app.use('/inspector', inspector.node);
  return { app, links, close: async () => (await webhooks.close(), await queue?.close(), await links.close()) };
}
