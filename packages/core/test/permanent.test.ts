import { describe, expect, test } from 'vitest';
import {
  createWebhooks,
  highlevel,
  hubspot,
  PermanentError,
  superoffice,
  type DeadLetterSink,
  type EventParkedError,
  type LogFields,
  type QueuedEvent,
  type WebhookError,
} from '@crmhooks/core';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  hubSpotAssociationSample,
  hubSpotDelivery,
  superOfficeDelivery,
  superOfficeSample,
} from '@crmhooks/core/testing';

const secret = 'permanent-secret';
const keys = generateHighLevelKeyPair();
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

/** A dead-letter sink that keeps what it is given, and can be made to fail. */
function arraySink() {
  const parked: { event: QueuedEvent; error: EventParkedError }[] = [];
  let down = false;
  const sink: DeadLetterSink = {
    park: async (event, error) => {
      if (down) throw new Error('sink unreachable');
      parked.push({ event, error });
    },
  };
  return { sink, parked, setDown: (value: boolean) => void (down = value) };
}

function receiver(deadLetters?: DeadLetterSink) {
  const lines: { level: string; fields: LogFields; message: string }[] = [];
  const logger = {
    warn: (fields: LogFields, message: string) => void lines.push({ level: 'warn', fields, message }),
    error: (fields: LogFields, message: string) => void lines.push({ level: 'error', fields, message }),
  };
  const webhooks = createWebhooks({
    providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey }), hubspot({ clientSecret: secret })],
    logger,
    ...(deadLetters && { deadLetters }),
  });
  const reported: WebhookError[] = [];
  webhooks.onError((error) => void reported.push(error));
  return { webhooks, lines, reported };
}

describe('a permanent failure is parked, not retried', () => {
  test('SuperOffice: answered 200 (the webhook stays enabled), logged once at error, reported, parked; a copy is not run again', async () => {
    const { sink, parked } = arraySink();
    const { webhooks, lines, reported } = receiver(sink);
    let runs = 0;
    webhooks.on('superoffice.relation.created', () => {
      runs += 1;
      throw new PermanentError('source table 3000000000 is out of range');
    });
    const outcome = await webhooks.receive(relation('dead-1'));
    expect(outcome.status).toBe(200);
    expect(outcome.events).toEqual([{ name: 'superoffice.relation.created', provider: 'superoffice', deliveryId: 'dead-1', tenant: 'Cust26759', result: 'parked' }]);
    expect(outcome.body).toEqual({ error: { code: 'event_parked', message: 'Handlers of superoffice.relation.created (delivery dead-1) failed permanently; the event was parked.' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', fields: { code: 'event_parked', provider: 'superoffice', event: 'superoffice.relation.created', deliveryId: 'dead-1' } });
    expect(lines[0]!.message).toMatch(/failed permanently: source table 3000000000 is out of range.*answered 200.*parked in the dead-letter sink/);
    expect(reported.map((error) => error.code)).toEqual(['event_parked']);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.event).toMatchObject({ provider: 'superoffice', name: 'superoffice.relation.created', deliveryId: 'dead-1', payload: { EventId: 'dead-1' } });
    expect(parked[0]!.event.association).toMatchObject({ action: 'created' });
    expect(parked[0]!.error.errors).toHaveLength(1);

    expect((await webhooks.receive(relation('dead-1'))).body).toEqual({ ok: true, duplicate: true });
    expect([runs, parked.length]).toEqual([1, 1]);
  });

  test('HighLevel (which retries only 429) and HubSpot (which retries any 4xx or 5xx) get 200 too', async () => {
    const { webhooks } = receiver(arraySink().sink);
    webhooks.on(['highlevel.RelationCreate', 'hubspot.contact.associationChange'], () => {
      throw Object.assign(new Error('unusable'), { permanent: true }); // any error marked permanent counts
    });
    const fromHighLevel = await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey }));
    const url = 'https://api.example.com/webhooks/crm';
    const fromHubSpot = await webhooks.receive({ ...hubSpotDelivery({ secret, url, events: [hubSpotAssociationSample()] }), method: 'POST', url });
    expect([fromHighLevel.status, fromHighLevel.error?.code]).toEqual([200, 'event_parked']);
    expect([fromHubSpot.status, fromHubSpot.error?.code]).toEqual([200, 'event_parked']);
  });

  test('without a sink, the error line is the record, and says how to keep parked events', async () => {
    const { webhooks, lines } = receiver();
    webhooks.on('superoffice.relation.created', () => Promise.reject(new PermanentError('never storable')));
    expect((await webhooks.receive(relation('dead-2'))).status).toBe(200);
    expect(lines.map((line) => line.level)).toEqual(['error']);
    expect(lines[0]!.message).toMatch(/This log line is its only record: pass deadLetters to createWebhooks/);
  });

  test('one permanent failure among transient ones still parks: no retry can make every handler succeed', async () => {
    const { sink, parked } = arraySink();
    const { webhooks } = receiver(sink);
    webhooks.on('superoffice.relation.created', () => Promise.reject(new Error('timeout talking to the API')));
    webhooks.on('association.created', () => {
      throw new PermanentError('no such object type');
    });
    const outcome = await webhooks.receive(relation('dead-3'));
    expect([outcome.status, outcome.error?.code, parked[0]?.error.errors.length]).toEqual([200, 'event_parked', 2]);
  });

  test('a sink that fails: answered so that the CRM retries, the id released, and the retry parks the event once the sink is back', async () => {
    const { sink, parked, setDown } = arraySink();
    const { webhooks, reported } = receiver(sink);
    let runs = 0;
    webhooks.on('superoffice.relation.created', () => {
      runs += 1;
      throw new PermanentError('bad data');
    });
    setDown(true);
    const first = await webhooks.receive(relation('dead-4'));
    expect([first.status, first.error?.code]).toEqual([503, 'dead_letter_unavailable']);
    expect(first.error?.message).toMatch(/sink unreachable.*answered so that the CRM retries it/);
    setDown(false);
    const retry = await webhooks.receive(relation('dead-4'));
    expect([retry.status, retry.error?.code, runs, parked.length]).toEqual([200, 'event_parked', 2, 1]);
    expect(reported.map((error) => error.code)).toEqual(['dead_letter_unavailable', 'event_parked']);
  });

  test('a transient failure is still retried, not parked', async () => {
    const { sink, parked } = arraySink();
    const { webhooks } = receiver(sink);
    webhooks.on('superoffice.relation.created', () => {
      throw new Error('database restarting');
    });
    const outcome = await webhooks.receive(relation('alive-1'));
    expect([outcome.status, outcome.error?.code, parked.length]).toEqual([500, 'handler_failed', 0]);
  });

  test('a worker: handle() parks the event and rejects with retryable false, so the queue does not retry it', async () => {
    const { sink, parked } = arraySink();
    const { webhooks } = receiver(sink);
    webhooks.on('association.created', () => {
      throw new PermanentError('bad link');
    });
    const job: QueuedEvent = {
      provider: 'superoffice',
      name: 'superoffice.relation.created',
      deliveryId: 'job-1',
      payload: superOfficeSample('relation.created'),
      association: { provider: 'superoffice', action: 'created', level: 'record', id: '7', definitionId: undefined, occurredAt: undefined, deliveryId: 'job-1', from: { recordId: '1' }, to: { recordId: '2' }, native: { name: 'superoffice.relation.created', payload: {} } },
    };
    const failure = await webhooks.handle(job).catch((error: unknown) => error as WebhookError);
    expect(failure).toMatchObject({ code: 'event_parked', retryable: false });
    expect(parked.map((letter) => letter.event.deliveryId)).toEqual(['job-1']);
  });
});
