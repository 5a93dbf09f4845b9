import { describe, expect, test, vi } from 'vitest';
import { createWebhooks, superoffice, type EventContext, type ReceiveOutcome } from '@crmhooks/core';
import { signSuperOffice, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'so-webhook-secret-0123456789';

function receiver(options: { secret?: string | string[] } = {}) {
  const webhooks = createWebhooks({ providers: [superoffice({ secret: options.secret ?? secret })], logger: false });
  const calls: { name: string; payload: unknown }[] = [];
  webhooks.onAny((event) => void calls.push({ name: event.name, payload: event.payload }));
  return { webhooks, calls };
}

function errorMessage(outcome: ReceiveOutcome): string {
  return 'error' in outcome.body ? outcome.body.error.message : '';
}

describe('SuperOffice deliveries', () => {
  test('relation.created reaches its typed handler and the association event', async () => {
    const { webhooks } = receiver();
    const seen: unknown[] = [];
    webhooks.on('superoffice.relation.created', (event, context: EventContext) => {
      seen.push([event.FieldValues?.source_record, event.FieldValues?.destination_record, context.deliveryId]);
    });
    webhooks.on('association.created', (link) => void seen.push(link));

    const payload = superOfficeSample('relation.created');
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload }));
    expect(payload.Timestamp).toBe(new Date(payload.Timestamp).toISOString()); // samples are dated now

    expect(outcome.status).toBe(200);
    expect(outcome.events).toEqual([
      { name: 'superoffice.relation.created', provider: 'superoffice', deliveryId: payload.EventId, tenant: 'Cust26759', result: 'handled' },
    ]);
    expect(seen[0]).toEqual([1, 2, 'abca7e30-5fd4-41d3-849a-16f51c927ecb']);
    expect(seen[1]).toEqual({
      action: 'created',
      level: 'record',
      tenant: 'Cust26759',
      provider: 'superoffice',
      id: '20',
      definitionId: '7',
      from: { objectType: 'contact', table: 5, recordId: '1' },
      to: { objectType: 'contact', table: 5, recordId: '2' },
      occurredAt: payload.Timestamp,
      deliveryId: payload.EventId,
      native: { name: 'superoffice.relation.created', payload },
    });
  });

  test('relation.changed and relation.deleted map to association.updated and association.deleted', async () => {
    const { webhooks } = receiver();
    const links: unknown[] = [];
    webhooks.on(['association.updated', 'association.deleted'], (link) => void links.push([link.action, link.id]));
    let deletedId: number | undefined;
    webhooks.on('superoffice.relation.deleted', (event) => {
      deletedId = event.Values?.relation_id;
    });

    for (const event of ['relation.changed', 'relation.deleted'] as const) {
      const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload: superOfficeSample(event) }));
      expect(outcome.status).toBe(200);
    }
    expect(deletedId).toBe(178105);
    expect(links).toEqual([
      ['updated', '20'],
      ['deleted', '178105'],
    ]);
  });

  test('the documented associate_id spelling is accepted as well as associateId', async () => {
    const { webhooks } = receiver();
    const owners: unknown[] = [];
    webhooks.on('superoffice.relation.created', (event) => {
      owners.push(event.FieldValues?.associateId ?? event.FieldValues?.associate_id);
    });
    const payload = superOfficeSample('relation.created');
    const { associateId, ...fields } = payload.FieldValues!;
    const outcome = await webhooks.receive(
      superOfficeDelivery({ secret, payload: { ...payload, FieldValues: { ...fields, associate_id: associateId } } }),
    );
    expect(outcome.status).toBe(200);
    expect(owners).toEqual([5]);
  });

  test('a name the receiver declares (an extra table) is dispatched under its own name; undeclared ones reach onAny', async () => {
    const webhooks = createWebhooks({ providers: [superoffice<'y_equipment.created'>({ secret })], logger: false });
    const calls: { name: string }[] = [];
    webhooks.onAny((event) => void calls.push({ name: event.name }));
    const names: string[] = [];
    webhooks.on('superoffice.y_equipment.created', (event) => void names.push(event.Event));
    const payload = { ...superOfficeSample('relation.created'), Event: 'y_equipment.created', EventId: 'x-1' };
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload }));
    expect(outcome.status).toBe(200);
    expect(names).toEqual(['y_equipment.created']);
    const undeclared = { ...superOfficeSample('relation.created'), Event: 'y_other.created', EventId: 'x-2' };
    expect((await webhooks.receive(superOfficeDelivery({ secret, payload: undeclared }))).status).toBe(200);
    expect(calls.map((call) => call.name)).toEqual(['superoffice.y_equipment.created', 'superoffice.y_other.created']);
  });

  test('a body without Event is a 400: the unsigned X-SuperOffice-Event header never names an event', async () => {
    const { webhooks, calls } = receiver();
    const { Event: _event, ...payload } = { ...superOfficeSample('relation.deleted'), EventId: 'no-event-1' };
    const body = JSON.stringify(payload);
    const headers = { 'x-superoffice-event': 'relation.deleted', 'x-superoffice-signature': signSuperOffice(body, secret) };
    const outcome = await webhooks.receive({ headers, body });
    expect([outcome.status, outcome.error?.code]).toEqual([400, 'payload_invalid']);
    expect(errorMessage(outcome)).toMatch(/no "Event" field.*never trusted/);
    expect(calls).toEqual([]);
  });

  test('the test event is answered 200, has its own name and never reaches entity handlers', async () => {
    const { webhooks, calls } = receiver();
    const reached: string[] = [];
    webhooks.on('superoffice.relation.created', () => void reached.push('relation'));
    webhooks.on('association.created', () => void reached.push('association'));
    webhooks.on('superoffice.test', () => {
      reached.push('test');
      throw new Error('a logging handler that fails must not fail the save in SuperOffice');
    });
    const errors: unknown[] = [];
    webhooks.onError((error) => void errors.push(error.code));

    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload: superOfficeSample('test') }));
    expect(outcome.status).toBe(200);
    expect(reached).toEqual(['test']);
    expect(calls.map((call) => call.name)).toEqual(['superoffice.test']);
    expect(errors).toEqual(['handler_failed']);
  });

  test('a captured delivery re-sent with X-Hook-Test: TRUE is still its own event; the genuine copy is then a duplicate', async () => {
    const { webhooks, calls } = receiver();
    const deleted: string[] = [];
    webhooks.on('superoffice.relation.deleted', (_event, { deliveryId }) => void deleted.push(deliveryId));
    const genuine = superOfficeDelivery({ secret, payload: superOfficeSample('relation.deleted') });
    const replayed = await webhooks.receive({ ...genuine, headers: { ...genuine.headers, 'X-Hook-Test': 'TRUE' } });
    expect(replayed.events.map((event) => event.name)).toEqual(['superoffice.relation.deleted']);
    expect((await webhooks.receive(genuine)).body).toEqual({ ok: true, duplicate: true });
    expect(deleted).toEqual(['e87ac619-c864-4881-89eb-07ca5521ee2c']);
    expect(calls.map((call) => call.name)).toEqual(['superoffice.relation.deleted']);
  });

  test('a body without EventId is named by its bytes: fresh X-SuperOffice-EventId headers cannot replay it', async () => {
    const { webhooks, calls } = receiver();
    const { EventId: _id, ...payload } = superOfficeSample('relation.created');
    const delivery = superOfficeDelivery({ secret, payload });
    const answers = [];
    for (const eventId of ['11111111-aaaa', '22222222-bbbb', '33333333-cccc']) {
      answers.push(await webhooks.receive({ ...delivery, headers: { ...delivery.headers, 'x-superoffice-eventid': eventId } }));
    }
    expect(answers.map((answer) => answer.events[0]?.result)).toEqual(['handled', 'duplicate', 'duplicate']);
    expect(answers[0]?.events[0]?.deliveryId).toMatch(/^sha256:/);
    expect(calls).toHaveLength(1);
  });

  test("SuperOffice's documented test delivery (EventId differing between header and body) is answered 200", async () => {
    const { webhooks, calls } = receiver();
    const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('test') });
    const headers = { ...delivery.headers, 'x-superoffice-eventid': '0f8fad5b-d9cb-469f-a165-70867728950e', 'x-hook-test': 'true' };
    const outcome = await webhooks.receive({ headers, body: delivery.body });
    expect(outcome.status).toBe(200);
    expect(outcome.events[0]?.deliveryId).toBe(superOfficeSample('test').EventId);
    expect(calls.map((call) => call.name)).toEqual(['superoffice.test']);
  });

  test('webhook state events are named by the body (webhook.started), not the header (webhook<id>.started)', async () => {
    const { webhooks, calls } = receiver();
    const payload = { ...superOfficeSample('relation.created'), Event: 'webhook.started', Entity: 'webhook', EventId: 'state-1' };
    const delivery = superOfficeDelivery({ secret, payload });
    const outcome = await webhooks.receive({ ...delivery, headers: { ...delivery.headers, 'x-superoffice-event': 'webhook12.started' } });
    expect(outcome.status).toBe(200);
    expect(calls.map((call) => call.name)).toEqual(['superoffice.webhook.started']);
  });

  test('headers are matched case-insensitively, as SuperOffice spells them', async () => {
    const { webhooks, calls } = receiver();
    const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Superoffice-Event': 'relation.created',
      'X-Superoffice-Signature': delivery.headers['x-superoffice-signature']!,
    };
    const outcome = await webhooks.receive({ headers, body: delivery.body });
    expect(outcome.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  test('EventId in the body is the delivery id: a second delivery of it is a duplicate', async () => {
    const { webhooks, calls } = receiver();
    const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    const first = await webhooks.receive(delivery);
    const retry = await webhooks.receive(superOfficeDelivery({ secret, payload: delivery.body, retry: 1 }));
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.events[0]?.result).toBe('duplicate');
    expect(calls).toHaveLength(1);
  });
});

describe('SuperOffice signatures', () => {
  const payload = superOfficeSample('relation.created');

  test('a wrong secret is answered 401 and nothing is dispatched', async () => {
    const { webhooks, calls } = receiver();
    const outcome = await webhooks.receive(superOfficeDelivery({ secret: 'not-the-secret', payload }));
    expect(outcome.status).toBe(401);
    expect(outcome.error?.code).toBe('signature_invalid');
    expect(errorMessage(outcome)).toMatch(/X-SuperOffice-Signature does not match/);
    expect(calls).toHaveLength(0);
  });

  test('a missing signature is answered 401 and says how to get one', async () => {
    const { webhooks, calls } = receiver();
    const { headers, body } = superOfficeDelivery({ secret, payload });
    const { 'x-superoffice-signature': _removed, ...unsigned } = headers;
    const outcome = await webhooks.receive({ headers: unsigned, body });
    expect(outcome.status).toBe(401);
    expect(outcome.error?.code).toBe('signature_missing');
    expect(errorMessage(outcome)).toMatch(/set one on the webhook in SuperOffice/);
    expect(calls).toHaveLength(0);
  });

  test('the signature of another body is rejected', async () => {
    const { webhooks, calls } = receiver();
    const genuine = superOfficeDelivery({ secret, payload });
    const tampered = genuine.body.replace('"source_record":1', '"source_record":9');
    expect(tampered).not.toBe(genuine.body);
    const outcome = await webhooks.receive({ headers: genuine.headers, body: tampered });
    expect(outcome.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  test('a signature of the right length but wrong value is rejected', async () => {
    const { webhooks } = receiver();
    const delivery = superOfficeDelivery({ secret, payload });
    const forged = signSuperOffice('something else', secret);
    expect(forged).toHaveLength(44);
    const outcome = await webhooks.receive({
      ...delivery,
      headers: { ...delivery.headers, 'x-superoffice-signature': forged },
    });
    expect(outcome.status).toBe(401);
  });

  test('a signature that is not base64 HMAC-SHA256 says so', async () => {
    const { webhooks } = receiver();
    const delivery = superOfficeDelivery({ secret, payload });
    const outcome = await webhooks.receive({
      ...delivery,
      headers: { ...delivery.headers, 'x-superoffice-signature': 'sha256=abc' },
    });
    expect(outcome.status).toBe(401);
    expect(errorMessage(outcome)).toMatch(/not a base64 HMAC-SHA256 value/);
  });

  test('base64 without padding is accepted', async () => {
    const { webhooks } = receiver();
    const delivery = superOfficeDelivery({ secret, payload });
    const unpadded = delivery.headers['x-superoffice-signature']!.replace(/=+$/, '');
    const outcome = await webhooks.receive({
      ...delivery,
      headers: { ...delivery.headers, 'x-superoffice-signature': unpadded },
    });
    expect(outcome.status).toBe(200);
  });

  test('several secrets are accepted at once while rotating', async () => {
    const { webhooks, calls } = receiver({ secret: ['old-secret', 'new-secret'] });
    const first = await webhooks.receive(superOfficeDelivery({ secret: 'old-secret', payload }));
    const second = await webhooks.receive(
      superOfficeDelivery({ secret: 'new-secret', payload: { ...payload, EventId: 'another-event' } }),
    );
    const third = await webhooks.receive(
      superOfficeDelivery({ secret: 'retired-secret', payload: { ...payload, EventId: 'third-event' } }),
    );
    expect([first.status, second.status, third.status]).toEqual([200, 200, 401]);
    // The caller learns that the signature is wrong, not how many secrets are configured.
    expect(errorMessage(third)).toBe('X-SuperOffice-Signature does not match the body signed with the webhook secret.');
    expect(third.error?.message).toMatch(/while rotating, pass both/);
    expect(calls).toHaveLength(2);
  });

  test('a secret with surrounding whitespace is diagnosed, without quoting it', async () => {
    const { webhooks } = receiver({ secret: `${secret}\n` });
    const delivery = superOfficeDelivery({ secret, payload });
    const outcome = await webhooks.receive(delivery);
    expect(outcome.status).toBe(401);
    const message = outcome.error!.message; // the log's message: the answer says only that the signature is wrong
    expect(message).toMatch(/once surrounding whitespace is removed/);
    expect(errorMessage(outcome)).not.toMatch(/whitespace/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain(delivery.headers['x-superoffice-signature']);
  });

  test('a re-serialized body is diagnosed', async () => {
    const { webhooks } = receiver();
    const pretty = JSON.stringify(payload, null, 2);
    const signed = superOfficeDelivery({ secret, payload: pretty });
    // What a body parser followed by JSON.stringify hands over.
    const outcome = await webhooks.receive({ headers: signed.headers, body: JSON.stringify(JSON.parse(pretty)) });
    expect(outcome.status).toBe(401);
    expect(outcome.error?.message).toMatch(/re-serialized/);
  });

  test('a forged body larger than a few KB costs only its hash: never parsed or re-serialized', async () => {
    const { webhooks } = receiver();
    const big = JSON.stringify({ ...payload, Padding: 'x'.repeat(10_000) });
    const signed = superOfficeDelivery({ secret, payload: JSON.stringify(JSON.parse(big), null, 2) });
    const parse = vi.spyOn(JSON, 'parse');
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      const outcome = await webhooks.receive({ headers: signed.headers, body: big });
      expect(outcome.status).toBe(401);
      expect([parse.mock.calls.length, stringify.mock.calls.length]).toEqual([0, 0]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  test('the secret option is required and checked at construction', () => {
    // An unset environment variable read as `?? ''`: the message names the option as written and the likely cause.
    expect(() => superoffice({ secret: '' })).toThrow(
      /^superoffice\(\{ secret \}\) is an empty string: .*environment variable.*not set.*leave this provider out/,
    );
    expect(() => superoffice({ secret: ['old', ''] })).toThrow(/^superoffice\(\{ secret \}\)\[1\] is an empty string/);
    expect(() => superoffice({ secret: [42 as never] })).toThrow(/^superoffice\(\{ secret \}\)\[0\] is not a string \(number\)/);
    expect(() => superoffice({ secret: [] })).toThrow(/secret is required|is required/);
    expect(() => superoffice(undefined as never)).toThrow(/is required/);
  });
});
