import { describe, expect, test, vi } from 'vitest';
import {
  createWebhooks,
  hubspot,
  MemoryIdempotencyStore,
  superoffice,
  type ArrivedDelivery,
  type DeliveryAttempt,
  type DeliveryJournal,
  type EventContext,
} from '@crmhooks/core';
import { hubSpotAssociationSample, hubSpotDelivery, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'journal-secret';
const relation = (eventId: string, extra: object = {}) =>
  superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ...extra } });

/** A journal that keeps what it is given in arrays, and can be made to fail. */
function arrayJournal(options: { failRecord?: boolean } = {}) {
  const recorded: ArrivedDelivery[] = [];
  const attempts: DeliveryAttempt[] = [];
  const journal: DeliveryJournal = {
    record: async (delivery) => {
      if (options.failRecord) throw new Error('connection refused');
      recorded.push(delivery);
    },
    attempted: (made) => void attempts.push(...made),
  };
  return { journal, recorded, attempts };
}

function receiver(journal: DeliveryJournal, secrets: string | string[] = secret) {
  const webhooks = createWebhooks({ providers: [superoffice({ secret: secrets }), hubspot({ clientSecret: secret })], journal, logger: false });
  const runs: { deliveryId: string; replay: boolean }[] = [];
  let failing = false;
  webhooks.on('superoffice.relation.created', (_event, context: EventContext) => {
    runs.push({ deliveryId: context.deliveryId, replay: context.replay });
    if (failing) throw new Error('handler bug');
  });
  return { webhooks, runs, fail: (on: boolean) => void (failing = on) };
}

describe('createWebhooks({ journal })', () => {
  test('keeps a verified delivery before its handlers run: the exact bytes, the signed headers only, its events and signed time', async () => {
    const { journal, recorded } = arrayJournal();
    const { webhooks } = receiver(journal);
    let recordedBeforeHandler = false;
    webhooks.on('superoffice.relation.created', () => void (recordedBeforeHandler = recorded.length === 1));
    const delivery = relation('j-1');
    const outcome = await webhooks.receive({ headers: { ...delivery.headers, cookie: 'session=1', authorization: 'Bearer x' }, body: delivery.body });
    expect(outcome.status).toBe(200);
    expect(recordedBeforeHandler).toBe(true);
    const [kept] = recorded;
    expect(Buffer.from(kept!.body).toString()).toBe(delivery.body);
    expect(Object.keys(kept!.headers).sort()).toEqual(['content-type', 'x-superoffice-signature']);
    const payload = JSON.parse(delivery.body);
    expect(kept!.events).toEqual([
      { name: 'superoffice.relation.created', deliveryId: 'j-1', tenant: 'Cust26759', signedAt: Date.parse(payload.Timestamp), recordIds: [String(payload.FieldValues.source_record), String(payload.FieldValues.destination_record)] },
    ]);
  });

  test('forged and malformed requests are never kept', async () => {
    const { journal, recorded, attempts } = arrayJournal();
    const { webhooks } = receiver(journal);
    const forged = superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.created') });
    const malformed = superOfficeDelivery({ secret, payload: '{"Event": ' });
    expect((await webhooks.receive(forged)).status).toBe(401);
    expect((await webhooks.receive(malformed)).status).toBe(400);
    expect([recorded, attempts]).toEqual([[], []]);
  });

  test('a journal that cannot keep the delivery: answered 503 journal_unavailable, no handler ran', async () => {
    const { journal } = arrayJournal({ failRecord: true });
    const { webhooks, runs } = receiver(journal);
    const outcome = await webhooks.receive(relation('j-down'));
    expect([outcome.status, outcome.error?.code]).toEqual([503, 'journal_unavailable']);
    expect(outcome.error?.message).toMatch(/connection refused.*retries it.*database is reachable/);
    expect(runs).toEqual([]);
  });

  test('every attempt is noted with its result, status and error: handled, a copy, a failure', async () => {
    const { journal, attempts } = arrayJournal();
    const { webhooks, fail } = receiver(journal);
    await webhooks.receive(relation('j-2'));
    await webhooks.receive(relation('j-2'));
    fail(true);
    await webhooks.receive(relation('j-3'));
    expect(attempts.map(({ deliveryId, result, status, error, replay }) => ({ deliveryId, result, status, code: error?.code, replay }))).toEqual([
      { deliveryId: 'j-2', result: 'handled', status: 200, code: undefined, replay: false },
      { deliveryId: 'j-2', result: 'duplicate', status: 200, code: undefined, replay: false },
      { deliveryId: 'j-3', result: 'failed', status: 500, code: 'handler_failed', replay: false },
    ]);
  });
});

describe('webhooks.replay(stored delivery)', () => {
  test('runs the handlers again with context.replay, days after the replay window closed, and notes the attempt', async () => {
    const { journal, recorded, attempts } = arrayJournal();
    const { webhooks, runs, fail } = receiver(journal);
    fail(true);
    await webhooks.receive(relation('j-4'));
    fail(false);
    // The replay window is 24 h of signed time: checked against when the delivery arrived, not now.
    const stored = { ...recorded[0]!, receivedAt: recorded[0]!.receivedAt };
    const twoDaysLater = Date.now() + 48 * 3600_000;
    const realNow = Date.now;
    Date.now = () => twoDaysLater;
    try {
      const replayed = await webhooks.replay(stored);
      expect(replayed).toEqual({ events: [{ name: 'superoffice.relation.created', provider: 'superoffice', deliveryId: 'j-4', tenant: 'Cust26759', result: 'handled' }] });
    } finally {
      Date.now = realNow;
    }
    expect(runs).toEqual([
      { deliveryId: 'j-4', replay: false },
      { deliveryId: 'j-4', replay: true },
    ]);
    expect(attempts.at(-1)).toMatchObject({ deliveryId: 'j-4', result: 'handled', replay: true, status: undefined });
    // Recorded as handled: the CRM's own retry of it is now a duplicate.
    expect((await webhooks.receive(relation('j-4'))).body).toEqual({ ok: true, duplicate: true });
  });

  test('a delivery that no longer verifies (the secret was rotated away) is refused: error, nothing ran', async () => {
    const { journal, recorded } = arrayJournal();
    await receiver(journal).webhooks.receive(relation('j-5'));
    const rotated = receiver(journal, 'the-new-secret');
    const replayed = await rotated.webhooks.replay(recorded[0]!);
    expect([replayed.events, replayed.error?.code]).toEqual([[], 'signature_invalid']);
    expect(rotated.runs).toEqual([]);
  });

  test('a store that throws at once when a replay marks the event handled: reported, the replay still answers', async () => {
    const { journal, recorded } = arrayJournal();
    await receiver(journal).webhooks.receive(relation('j-6'));
    const store = new MemoryIdempotencyStore();
    store.complete = () => {
      throw new Error('store closed');
    };
    const errors: string[] = [];
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, journal, logger: false });
    webhooks.onError((error) => void errors.push(error.message));
    const replayed = await webhooks.replay(recorded[0]!);
    expect(replayed.events.map((event) => event.result)).toEqual(['handled']);
    expect(errors).toEqual([expect.stringMatching(/record a replayed delivery id as handled/)]);
  });

  test('never runs beside the same event being handled: a replay during the CRM copy, two replays at once, a copy during a replay', async () => {
    const { journal, recorded } = arrayJournal();
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, logger: false });
    const runs: string[] = [];
    let finish = () => {};
    webhooks.on('superoffice.relation.created', async (_event, context) => {
      runs.push(context.replay ? 'replay' : 'copy');
      await new Promise<void>((resolve) => (finish = resolve));
    });
    const live = webhooks.receive(relation('j-8'));
    await vi.waitUntil(() => runs.length === 1, { timeout: 2_000 });
    // The CRM's delivery is still running: a replay of it runs nothing.
    expect((await webhooks.replay(recorded[0]!)).events.map((event) => event.result)).toEqual(['in_progress']);
    finish();
    expect((await live).status).toBe(200);

    const first = webhooks.replay(recorded[0]!);
    await vi.waitUntil(() => runs.length === 2, { timeout: 2_000 });
    expect((await webhooks.replay(recorded[0]!)).events.map((event) => event.result)).toEqual(['in_progress']);
    // A copy the CRM sends meanwhile is not handled alongside it: the CRM retries it later.
    expect((await webhooks.receive(relation('j-8'))).error?.code).toBe('delivery_in_progress');
    finish();
    expect((await first).events.map((event) => event.result)).toEqual(['handled']);
    expect(runs).toEqual(['copy', 'replay']);
    expect((await webhooks.receive(relation('j-8'))).body).toEqual({ ok: true, duplicate: true });
  });

  test('a replay that fails leaves the event unhandled: the next copy or replay runs it', async () => {
    const { journal, recorded, attempts } = arrayJournal();
    const { webhooks, runs, fail } = receiver(journal);
    await webhooks.receive(relation('j-9'));
    fail(true);
    expect((await webhooks.replay(recorded[0]!)).events.map((event) => event.result)).toEqual(['failed']);
    // What follows a failed replay: no CRM retries it.
    expect(attempts.at(-1)?.error?.message).toMatch(/\. The replay failed and the event was released: replay it again once the cause is fixed\.$/);
    fail(false);
    expect((await webhooks.receive(relation('j-9'))).body).toEqual({ ok: true });
    expect(runs.map((run) => run.replay)).toEqual([false, true, false]);
  });

  test('a HubSpot batch: only the events named by deliveryIds run again', async () => {
    const { journal, recorded } = arrayJournal();
    const webhooks = createWebhooks({ providers: [hubspot({ clientSecret: secret })], journal, logger: false });
    const seen: string[] = [];
    webhooks.on('hubspot.contact.associationChange', (change, context) => void seen.push(`${change.eventId}${context.replay ? ' (replay)' : ''}`));
    const url = 'https://hooks.example.com/crm';
    const batch = hubSpotDelivery({ secret, url, events: [hubSpotAssociationSample({ eventId: 1 }), hubSpotAssociationSample({ eventId: 2 })] });
    await webhooks.receive({ ...batch, method: 'POST', url });
    const second = recorded[0]!.events[1]!.deliveryId;
    const replayed = await webhooks.replay(recorded[0]!, { deliveryIds: [second] });
    expect(replayed.events.map((event) => event.deliveryId)).toEqual([second]);
    expect(seen).toEqual(['1', '2', '2 (replay)']);
  });
});
