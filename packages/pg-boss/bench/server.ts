/**
 * A bench server in its own process: `node server.js <queue> <handlers>`, Express with the journal on
 * Postgres (DATABASE_URL) as journal, store and dead-letter sink, handing events to `<queue>`:
 * - `bullmq`: BullMQ on REDIS_URL;
 * - `pg-boss`: pg-boss on the journal's database, each job committed with its event's queued state.
 * `<handlers>`: `none` (no worker: the hand-off alone) or `200` (a worker in this process runs
 * handlers that take 200 ms).
 */
import { createServer } from 'node:http';
import express from 'express';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { Queue } from 'bullmq';
import { createWebhooks, superoffice, type QueuedEvent } from '@crmhooks/core';
import { crmhooks } from '@crmhooks/express';
import { createJournal, postgres } from '@crmhooks/journal';
import { bullmqQueue, createWorker } from '@crmhooks/bullmq';
import { createPgBossWorker, pgBossQueue } from '@crmhooks/pg-boss';
import { announce, ROUTE } from '../../../bench/support/bench-server.js';

const [queueKind, handlers] = process.argv.slice(2);
const secret = process.env.BENCH_SECRET ?? '';
const name = `bench_${queueKind!.replace('-', '_')}_${handlers}_${process.pid}`;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const journal = createJournal({ database: postgres(pool), tablePrefix: `${name}_`, pruneEveryMs: false, logger: false });
await journal.ready();
let queue;
let startWorker: (webhooks: { handle(event: QueuedEvent): Promise<void> }) => Promise<unknown>;
if (queueKind === 'bullmq') {
  const bull = new Queue(name, { connection: { url: process.env.REDIS_URL!, enableOfflineQueue: false } });
  queue = bullmqQueue(bull);
  startWorker = async (webhooks) => createWorker(webhooks, name, { connection: { url: process.env.REDIS_URL!, maxRetriesPerRequest: null }, concurrency: 100 });
} else {
  const boss = new PgBoss({ connectionString: process.env.DATABASE_URL, max: 10, schedule: false });
  boss.on('error', (error) => console.error('pg-boss:', error.message));
  await boss.start();
  queue = pgBossQueue(boss, { name, journal });
  await queue.ready();
  startWorker = (webhooks) => createPgBossWorker(webhooks, boss, { name, concurrency: 100 });
}
const options = { providers: [superoffice({ secret })], journal, store: journal.store, deadLetters: journal, logger: false } as const;
const webhooks = createWebhooks({ ...options, queue });
if (handlers === '200') {
  const worker = createWebhooks(options);
  worker.on('superoffice.relation.created', () => new Promise((resolve) => setTimeout(resolve, 200))); // a handler calling another API
  await startWorker(worker);
}
const app = express();
app.post(ROUTE, crmhooks(webhooks));
announce(createServer(app));
