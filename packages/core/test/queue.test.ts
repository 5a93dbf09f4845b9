import { describe, expect, test } from 'vitest';
import { createWebhooks, highlevel, HandlerError, HandlerTimeoutError, superoffice, type EventQueue, type QueuedEvent } from '@crmhooks/core';
import { generateHighLevelKeyPair, highLevelDelivery, highLevelSample, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'queue-secret';
const keys = generateHighLevelKeyPair();
const delivery = (eventId = 'q-1') => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

/** The EventQueue contract, kept in an array (the real one, on BullMQ, is tested in @crmhooks/bullmq). */
function arrayQueue(fail = () => false) {
  const jobs: QueuedEvent[] = [];
  const queue: EventQueue = {
    enqueue: async (event) => {
      if (fail()) throw new Error('ECONNREFUSED');
      jobs.push(structuredClone(event)); // as a queue stores it: JSON, not the objects themselves
    },
  };
  return { queue, jobs };
}

describe('hand-off to a queue', () => {
  test('the receiver stores each verified event and runs no handler; a copy is a duplicate, not a second job', async () => {
    const { queue, jobs } = arrayQueue();
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], queue, logger: false });
    let ranInRequest = 0;
    webhooks.on('association.created', () => void (ranInRequest += 1));
    const first = await webhooks.receive(delivery());
    const copy = await webhooks.receive(delivery());
    expect([first.status, copy.body]).toEqual([200, { ok: true, duplicate: true }]);
    expect(ranInRequest).toBe(0);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ provider: 'superoffice', name: 'superoffice.relation.created', deliveryId: 'q-1' });
    expect(jobs[0]!.association).toMatchObject({ action: 'created', from: { objectType: 'contact', recordId: '1' } });
  });

  test('a queue that fails answers so that the CRM retries (HighLevel: 429) and releases the id; the retry is queued', async () => {
    let down = true;
    const { queue, jobs } = arrayQueue(() => down);
    const webhooks = createWebhooks({ providers: [highlevel({ publicKeys: keys.publicKey })], queue, logger: false });
    const sent = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey });
    const first = await webhooks.receive(sent);
    expect([first.status, first.error?.code, first.headers['retry-after']]).toEqual([429, 'queue_unavailable', '5']);
    down = false;
    expect((await webhooks.receive(sent)).status).toBe(200);
    expect(jobs).toHaveLength(1);
  });

  test('a worker runs the same typed handlers from the stored event, association events included', async () => {
    const { queue, jobs } = arrayQueue();
    const receiver = createWebhooks({ providers: [superoffice({ secret })], queue, logger: false });
    await receiver.receive(delivery('worker-1'));
    const worker = createWebhooks({ providers: [superoffice({ secret })], logger: false });
    const seen: string[] = [];
    worker.on('superoffice.relation.created', (event, { deliveryId }) => void seen.push(`${event.FieldValues?.source_record} ${deliveryId}`));
    worker.on('association.created', (link) => void seen.push(`${link.from.recordId}->${link.to.recordId}`));
    await worker.handle(jobs[0]!);
    expect(seen).toEqual(['1 worker-1', '1->2']);
  });

  test('handle() rejects when a handler fails, so the queue retries the job; the signal aborts with the worker', async () => {
    const { queue, jobs } = arrayQueue();
    await createWebhooks({ providers: [superoffice({ secret })], queue, logger: false }).receive(delivery());
    const worker = createWebhooks({ providers: [superoffice({ secret })], logger: false });
    worker.on('superoffice.relation.created', () => Promise.reject(new Error('downstream API down')));
    await expect(worker.handle(jobs[0]!)).rejects.toBeInstanceOf(HandlerError);

    const shutdown = new AbortController();
    const aborted = createWebhooks({ providers: [superoffice({ secret })], logger: false });
    aborted.on('superoffice.relation.created', (_event, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    const running = aborted.handle(jobs[0]!, { signal: shutdown.signal });
    shutdown.abort(new Error('worker closing'));
    await expect(running).rejects.toThrow(/worker closing/);
  });

  test('a job whose handlers do not settle in time rejects with handler_timeout, saying the queue retries it', async () => {
    const { queue, jobs } = arrayQueue();
    await createWebhooks({ providers: [superoffice({ secret })], queue, logger: false }).receive(delivery('slow-1'));
    const worker = createWebhooks({ providers: [superoffice({ secret })], logger: false, handlerTimeoutMs: 50 });
    worker.on('superoffice.relation.created', () => new Promise(() => undefined));
    const error: unknown = await worker.handle(jobs[0]!).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(HandlerTimeoutError);
    // No "answered so that the CRM retries", and no advice to use a queue: this is the queue.
    expect((error as HandlerTimeoutError).message).toMatch(/did not settle within 50 ms\. Their signal was aborted and the job failed, so the queue retries it\. Make handlers stop when context\.signal aborts, or raise handlerTimeoutMs\.$/);
  });

  test('a body nested too deep for any queue is refused at parse, 400 as without a queue, and nothing is queued', async () => {
    const { queue, jobs } = arrayQueue();
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], queue, logger: false });
    // Built as text: JSON.stringify itself overflows its stack on such values.
    const body = JSON.stringify({ ...superOfficeSample('relation.created'), EventId: 'q-deep', Properties: 'x' }).replace('"x"', `${'['.repeat(5_000)}${']'.repeat(5_000)}`);
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload: body }));
    expect([outcome.status, outcome.error?.code, jobs.length]).toEqual([400, 'payload_invalid', 0]);
  });
});
