import { createServer } from 'node:http';
import express from 'express';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, highlevel, PermanentError, superoffice, type LogFields, type QueuedEvent, type SuperOfficeRelationCreated } from '@crmhooks/core';
import { generateHighLevelKeyPair, highLevelDelivery, highLevelSample, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { crmhooks } from '@crmhooks/express';
import { bullmqQueue, createWorker, jobIdOf } from '@crmhooks/bullmq';
import { createJournal, pglite } from '@crmhooks/journal';
import { PGlite } from '@electric-sql/pglite';
import { listen, post } from '../../../test/support/http.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';

const secret = 'bullmq-secret';
const keys = generateHighLevelKeyPair();
const providers = () => [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })] as const;
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe.runIf(redisServerAvailable())('@crmhooks/bullmq on a real redis-server', () => {
  let redis: RedisServer;
  let queueNumber = 0;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.stop());

  /** A receiver on Express handing events to a fresh queue, and what a test needs to drive it. */
  async function receiverApp(options: { jobOptions?: object } = {}) {
    const name = `crm-events-${(queueNumber += 1)}`;
    const queue = new Queue(name, { connection: { url: redis.url, enableOfflineQueue: false } });
    const webhooks = createWebhooks({ providers: providers(), queue: bullmqQueue(queue, options), logger: false });
    const app = express();
    app.post('/webhooks/crm', crmhooks(webhooks));
    const server = await listen(createServer(app));
    return {
      name,
      queue,
      url: `${server.url}/webhooks/crm`,
      close: async () => (await server.close(), await queue.close()),
    };
  }
  const workerOptions = () => ({ connection: { url: redis.url, maxRetriesPerRequest: null }, concurrency: 10 });

  test('the receiver answers once the job is stored, whatever the handlers take; a worker runs the typed handlers', async () => {
    const receiver = await receiverApp();
    const worker = createWebhooks({ providers: providers(), logger: false });
    const seen: string[] = [];
    let releaseHandler!: () => void;
    const handlerMayFinish = new Promise<void>((resolve) => (releaseHandler = resolve));
    let handlerStarted = false;
    worker.on('superoffice.relation.created', async (event: SuperOfficeRelationCreated, { deliveryId, signal }) => {
      expect(signal).toBeInstanceOf(AbortSignal);
      handlerStarted = true;
      await handlerMayFinish; // a slow handler: it does not hold the CRM's request
      seen.push(`${event.FieldValues?.destination_record} ${deliveryId}`);
    });
    worker.on('association.created', (link) => void seen.push(`link ${link.provider} ${link.to.recordId}`));
    const running = createWorker(worker, receiver.name, workerOptions());
    try {
      const answer = await post(receiver.url, relation('job-1'));
      expect(answer.status).toBe(200); // answered while the handler cannot have finished
      await expect.poll(() => handlerStarted, { timeout: 5000 }).toBe(true);
      expect(seen).not.toContain('2 job-1');
      releaseHandler();
      const job = await receiver.queue.getJob(jobIdOf({ provider: 'superoffice', deliveryId: 'job-1' }));
      expect(job?.data).toMatchObject({ provider: 'superoffice', name: 'superoffice.relation.created', deliveryId: 'job-1' });
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(2);
      expect(seen.sort()).toEqual(['2 job-1', 'link superoffice 2']);
    } finally {
      await running.close();
      await receiver.close();
    }
  });

  test('copies make one job: a CRM retry is a duplicate at the store, and the job id keeps a second receiver from queueing it again', async () => {
    const receiver = await receiverApp();
    const other = createWebhooks({ providers: providers(), queue: bullmqQueue(receiver.queue), logger: false });
    try {
      expect((await post(receiver.url, relation('dup-1'))).status).toBe(200);
      expect((await post(receiver.url, relation('dup-1'))).body).toEqual({ ok: true, duplicate: true });
      expect((await other.receive(relation('dup-1'))).status).toBe(200); // another receiver, with a store of its own
      expect(await receiver.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await receiver.close();
    }
  });

  test('a failing handler is retried with backoff; one that always fails stays in the failed set for inspection', async () => {
    const receiver = await receiverApp({ jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 50 } } });
    const worker = createWebhooks({ providers: providers(), logger: false });
    const attempts = new Map<string, number>();
    worker.on('superoffice.relation.created', (_event, { deliveryId }) => {
      const attempt = (attempts.get(deliveryId) ?? 0) + 1;
      attempts.set(deliveryId, attempt);
      if (deliveryId === 'always-fails' || attempt === 1) throw new Error(`attempt ${attempt} failed`);
    });
    const running = createWorker(worker, receiver.name, workerOptions());
    try {
      await post(receiver.url, relation('fails-once'));
      await post(receiver.url, relation('always-fails'));
      await expect.poll(() => receiver.queue.getJobCounts('completed', 'failed'), { timeout: 10_000 }).toEqual({ completed: 1, failed: 1 });
      expect(Object.fromEntries(attempts)).toEqual({ 'fails-once': 2, 'always-fails': 3 });
      const [failed] = await receiver.queue.getFailed();
      // It says what follows in a worker: the queue's retry, not the CRM's.
      expect([failed?.data.deliveryId, failed?.failedReason]).toEqual(['always-fails', expect.stringMatching(/A handler failed .*attempt 3 failed\. The job failed, so the queue retries it/)]);
    } finally {
      await running.close();
      await receiver.close();
    }
  });

  test('a permanent failure is parked by the worker and fails its job once, never retried', async () => {
    const receiver = await receiverApp();
    const parked: QueuedEvent[] = [];
    const worker = createWebhooks({ providers: providers(), logger: false, deadLetters: { park: (event) => void parked.push(event) } });
    let runs = 0;
    worker.on('superoffice.relation.created', () => {
      runs += 1;
      throw new PermanentError('source_table 3000000000 is out of range');
    });
    const running = createWorker(worker, receiver.name, workerOptions());
    try {
      expect((await post(receiver.url, relation('doomed-1'))).status).toBe(200);
      await expect.poll(() => receiver.queue.getJobCounts('failed'), { timeout: 10_000 }).toEqual({ failed: 1 });
      const [failed] = await receiver.queue.getFailed();
      expect([failed?.attemptsMade, failed?.failedReason]).toEqual([1, expect.stringMatching(/failed permanently: source_table 3000000000 is out of range\. Retrying cannot fix that, so the job failed without further attempts\./)]);
      expect([runs, parked.map((event) => event.deliveryId)]).toEqual([1, ['doomed-1']]);
    } finally {
      await running.close();
      await receiver.close();
    }
  });

  test('the hand-off checks once that Redis keeps an append-only file: a warning at start, or with requirePersistence a refusal', async () => {
    const lines: string[] = [];
    const record = (fields: LogFields, message: string) => void lines.push(`${fields.code}: ${message}`);
    const queue = new Queue(`crm-events-${(queueNumber += 1)}`, { connection: { url: redis.url, enableOfflineQueue: false } });
    try {
      const handOff = bullmqQueue(queue);
      const webhooks = createWebhooks({ providers: providers(), queue: handOff, logger: { warn: record, error: record } });
      await handOff.ready();
      expect(lines).toEqual([expect.stringMatching(/^queue_warning: Redis keeps no append-only file \(appendonly no\): if it restarts, jobs stored since its last snapshot are lost, and events whose deliveries were already answered 200 are never handled/)]);
      expect((await webhooks.receive(relation('persist-1'))).status).toBe(200);
      expect(lines).toHaveLength(1);

      const strict = bullmqQueue(queue, { requirePersistence: true });
      await expect(strict.ready()).rejects.toThrow(/bullmqQueue refuses to start/);
      const refused = await createWebhooks({ providers: providers(), queue: strict, logger: false }).receive(relation('persist-2'));
      expect([refused.status, refused.error?.code]).toEqual([503, 'queue_unavailable']);
    } finally {
      await queue.close();
    }
  });

  test('Redis unreachable: the delivery is answered so that the CRM retries (HighLevel: 429) and nothing is lost once it is back', async () => {
    const down = await startRedis();
    const queue = new Queue('crm-down', { connection: { url: down.url, enableOfflineQueue: false } });
    const webhooks = createWebhooks({ providers: providers(), queue: bullmqQueue(queue), logger: false, storeTimeoutMs: 500 });
    const delivery = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey });
    try {
      expect((await webhooks.receive(delivery)).status).toBe(200);
      await down.stop();
      const second = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey });
      const whileDown = await webhooks.receive(second);
      expect([whileDown.status, whileDown.error?.code]).toEqual([429, 'queue_unavailable']);
      const back = await startRedis(down.port);
      try {
        await expect.poll(async () => (await webhooks.receive(second)).status, { timeout: 10_000, interval: 300 }).toBe(200);
        expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 }); // the fresh server holds only the retried job
      } finally {
        await queue.close();
        await back.stop();
      }
    } finally {
      await down.stop();
    }
  });

  test('closing the worker gives running handlers graceMs, then aborts their signal; the job is retried later', async () => {
    const receiver = await receiverApp({ jobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 10 } } });
    const worker = createWebhooks({ providers: providers(), logger: false });
    let abortedWith: unknown;
    worker.on('superoffice.relation.created', (_event, { signal }) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject((abortedWith = signal.reason)))),
    );
    const running = createWorker(worker, receiver.name, workerOptions());
    try {
      await post(receiver.url, relation('slow-1'));
      await expect.poll(() => receiver.queue.getJobCounts('active'), { timeout: 5000 }).toEqual({ active: 1 });
      const started = performance.now();
      await running.close({ graceMs: 200 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      expect(String(abortedWith)).toMatch(/shutting down/);
      expect(await receiver.queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 1 }); // failed once, retried later
    } finally {
      await receiver.close();
    }
  });

  test('with the journal as the store, an event claimed in Postgres and queued (a replay) shows queued until a worker ran it', async () => {
    const journal = createJournal({ database: pglite(await PGlite.create()), pruneEveryMs: false });
    const name = `crm-events-${(queueNumber += 1)}`;
    const queue = new Queue(name, { connection: { url: redis.url, enableOfflineQueue: false } });
    const receiver = createWebhooks({ providers: providers(), queue: bullmqQueue(queue), journal, store: journal.store, logger: false });
    const worker = createWebhooks({ providers: providers(), journal, logger: false });
    const runs: string[] = [];
    worker.on('superoffice.relation.created', (_event, { deliveryId, replay }) => void runs.push(`${deliveryId}${replay ? ' (replay)' : ''}`));
    const stateOf = async () => (await journal.list({ deliveryId: 'queued-state-1' }))[0]?.state;
    try {
      expect((await receiver.receive(relation('queued-state-1'))).status).toBe(200);
      expect(await stateOf()).toBe('queued');
      const first = createWorker(worker, name, workerOptions());
      await expect.poll(stateOf, { timeout: 10_000 }).toBe('handled');
      await first.close();
      expect(await journal.replay(receiver, { deliveryId: 'queued-state-1' })).toEqual({ matched: 1, handled: 1, failed: 0, skipped: [] });
      expect(await stateOf()).toBe('queued');
      // A copy the CRM sends meanwhile is a duplicate: the event is durably queued.
      expect((await receiver.receive(relation('queued-state-1'))).body).toEqual({ ok: true, duplicate: true });
      const second = createWorker(worker, name, workerOptions());
      await expect.poll(stateOf, { timeout: 10_000 }).toBe('handled');
      await second.close();
      expect(runs).toEqual(['queued-state-1', 'queued-state-1 (replay)']);
    } finally {
      await queue.close();
      await journal.close();
    }
  });

  test('a journal replay goes through the queue: the failed event gets a job of its own, and a worker runs it with context.replay', async () => {
    const journal = createJournal({ database: pglite(await PGlite.create()), pruneEveryMs: false });
    const name = `crm-events-${(queueNumber += 1)}`;
    const queue = new Queue(name, { connection: { url: redis.url, enableOfflineQueue: false } });
    const receiver = createWebhooks({ providers: providers(), queue: bullmqQueue(queue, { jobOptions: { attempts: 1 } }), journal, logger: false });
    const worker = createWebhooks({ providers: providers(), journal, logger: false });
    const runs: string[] = [];
    let bug = true;
    worker.on('superoffice.relation.created', (_event, { deliveryId, replay }) => {
      runs.push(`${deliveryId}${replay ? ' (replay)' : ''}`);
      if (bug) throw new Error('a bug in the handler');
    });
    const running = createWorker(worker, name, workerOptions());
    try {
      expect((await receiver.receive(relation('queued-bug-1'))).status).toBe(200);
      await expect.poll(async () => (await journal.list({ deliveryId: 'queued-bug-1' }))[0]?.state, { timeout: 10_000 }).toBe('failed');
      bug = false;
      expect(await journal.replay(receiver, { state: 'failed' })).toEqual({ matched: 1, handled: 1, failed: 0, skipped: [] });
      await expect.poll(async () => (await journal.list({ deliveryId: 'queued-bug-1' }))[0]?.state, { timeout: 10_000 }).toBe('handled');
      expect(runs).toEqual(['queued-bug-1', 'queued-bug-1 (replay)']);
      const entry = await journal.show('superoffice', 'queued-bug-1');
      expect(entry!.attempts.map(({ result, replay }) => `${result}${replay ? ' (replay)' : ''}`)).toEqual(['queued', 'failed', 'queued (replay)', 'handled (replay)']);
    } finally {
      await running.close();
      await queue.close();
      await journal.close();
    }
  });
});

