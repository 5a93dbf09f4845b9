import { createWorker } from '@crmhooks/bullmq';
import { config, LinkTable } from '@crmhooks/example-links';
import { QUEUE, receiver, registerHandlers } from './receiver.js';

/** Runs the example's handlers for the events the receivers queued (REDIS_URL). */
export function startWorker(settings = config(), links = new LinkTable('express-worker', settings)) {
  if (!settings.redisUrl) throw new Error('Set REDIS_URL: the worker takes its jobs from a BullMQ queue on Redis.');
  const webhooks = receiver(settings, { journal: links.journal }); // notes each job's outcome
  registerHandlers(webhooks, links);
  return createWorker(webhooks, QUEUE, { connection: { url: settings.redisUrl, maxRetriesPerRequest: null } });
}
