import { describe, expect, test } from 'vitest';
import {
  createWebhooks,
  highlevel,
  RawBodyRequiredError,
  superoffice,
  type IdempotencyStore,
  type ReceiveOutcome,
} from '@crmhooks/core';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  signSuperOffice,
  superOfficeDelivery,
  superOfficeSample,
} from '@crmhooks/core/testing';

const secret = 'receive-secret';
const keys = generateHighLevelKeyPair();
const errorOf = (outcome: ReceiveOutcome) => ('error' in outcome.body ? outcome.body.error : undefined);

function newReceiver(options: { store?: IdempotencyStore; maxBodyBytes?: number } = {}) {
  const webhooks = createWebhooks({
    providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })],
    logger: false,
    ...options,
  });
  const calls: string[] = [];
  webhooks.onAny((event) => void calls.push(event.name));
  return { webhooks, calls };
}

/** Signs an arbitrary body as SuperOffice would, to reach the parsing stage. */
const signedBody = (body: string | Buffer) => ({
  headers: { 'x-superoffice-signature': signSuperOffice(body, secret), 'x-superoffice-event': 'relation.created' },
  body,
});

describe('one receiver, several providers', () => {
  test('each delivery is recognised from its headers', async () => {
    const { webhooks, calls } = newReceiver();
    await webhooks.receive(superOfficeDelivery({ secret, payload: superOfficeSample('relation.deleted') }));
    await webhooks.receive(highLevelDelivery({ type: 'RelationDelete', payload: highLevelSample('RelationDelete'), privateKey: keys.privateKey }));
    expect(calls).toEqual(['superoffice.relation.deleted', 'highlevel.RelationDelete']);
  });

  test('a request with no known signature header is a 401 that lists the expected headers', async () => {
    const { webhooks, calls } = newReceiver();
    const outcome = await webhooks.receive({ headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(outcome.status).toBe(401);
    expect(errorOf(outcome)).toEqual({
      code: 'signature_missing',
      message: expect.stringContaining('Expected X-SuperOffice-Signature (SuperOffice), X-GHL-Signature (HighLevel)'),
    });
    expect(calls).toEqual([]);
  });
});

describe('bodies', () => {
  test('malformed JSON is a 400 that says what is wrong', async () => {
    const { webhooks, calls } = newReceiver();
    const outcome = await webhooks.receive(signedBody('{"EventId": "1", '));
    expect(outcome.status).toBe(400);
    expect(errorOf(outcome)?.code).toBe('payload_invalid');
    expect(errorOf(outcome)?.message).toMatch(/^The request body is not valid JSON: .+/);
    expect(calls).toEqual([]);
  });

  test.each([
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"relation.created"'],
  ])('JSON that is %s is a 400 naming it', async (kind, body) => {
    const outcome = await newReceiver().webhooks.receive(signedBody(body));
    expect(outcome.status).toBe(400);
    expect(errorOf(outcome)?.message).toBe(`SuperOffice sends one JSON object per delivery, but the body is ${kind}.`);
  });

  test('an empty body is a 400', async () => {
    const outcome = await newReceiver().webhooks.receive(signedBody(''));
    expect([outcome.status, errorOf(outcome)?.message]).toEqual([400, 'The request body is empty; expected a JSON object.']);
  });

  test('invalid UTF-8 is a 400', async () => {
    const outcome = await newReceiver().webhooks.receive(signedBody(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])));
    expect([outcome.status, errorOf(outcome)?.message]).toEqual([400, 'The request body is not valid UTF-8; expected UTF-8 JSON.']);
  });

  test('a UTF-8 byte-order mark is ignored', async () => {
    const { webhooks, calls } = newReceiver();
    const json = JSON.stringify(superOfficeSample('relation.created'));
    const outcome = await webhooks.receive(signedBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])));
    expect(outcome.status).toBe(200);
    expect(calls).toEqual(['superoffice.relation.created']);
  });

  test('Buffer, Uint8Array, ArrayBuffer and the exact string are all accepted', async () => {
    const { webhooks, calls } = newReceiver();
    const bodies = ['a', 'b', 'c', 'd'].map((id) => JSON.stringify({ ...superOfficeSample('relation.created'), EventId: id }));
    const forms = [
      Buffer.from(bodies[0]!),
      new Uint8Array(Buffer.from(bodies[1]!)),
      new Uint8Array(Buffer.from(bodies[2]!)).buffer,
      bodies[3]!,
    ];
    for (const [index, body] of forms.entries()) {
      const { headers } = signedBody(bodies[index]!);
      expect((await webhooks.receive({ headers, body })).status).toBe(200);
    }
    expect(calls).toHaveLength(4);
  });

  test('a body over the limit is a 413 and nothing is verified or dispatched', async () => {
    const { webhooks, calls } = newReceiver({ maxBodyBytes: 100 });
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') }));
    expect(outcome.status).toBe(413);
    expect(errorOf(outcome)?.message).toMatch(/over the 100-byte limit.*raise `maxBodyBytes`/);
    expect(calls).toEqual([]);
  });

  test('the default limit is 1 MiB', async () => {
    const { webhooks } = newReceiver();
    expect(webhooks.maxBodyBytes).toBe(1024 * 1024);
    const big = JSON.stringify({ ...superOfficeSample('relation.created'), Padding: 'x'.repeat(1024 * 1024) });
    expect((await webhooks.receive(signedBody(big))).status).toBe(413);
  });

  test('an already-parsed body is answered 500 raw_body_missing (retryable), explaining the body-parser trap and the fix', async () => {
    const { webhooks, calls } = newReceiver();
    const parsed = superOfficeSample('relation.created');
    const outcome = await webhooks.receive({ headers: {}, body: parsed as never });
    expect([outcome.status, outcome.error?.code, outcome.headers['retry-after']]).toEqual([500, 'raw_body_missing', '5']);
    expect(outcome.error).toBeInstanceOf(RawBodyRequiredError);
    expect(outcome.error?.message).toMatch(/received an already-parsed object.*mount the webhook route before any JSON body parser/);
    expect((await webhooks.receive({ headers: {}, body: undefined as never })).error?.message).toMatch(/received undefined/);
    expect(calls).toEqual([]);
  });
});

describe('idempotency through receive', () => {
  test('a copy that arrives while the first is still being handled is answered 409 and not dispatched twice', async () => {
    const { webhooks } = newReceiver();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    webhooks.on('superoffice.relation.created', async () => {
      runs += 1;
      await gate;
    });
    const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    const first = webhooks.receive(delivery);
    const concurrent = await webhooks.receive(delivery);
    expect(concurrent.status).toBe(409);
    expect(concurrent.headers['retry-after']).toBe('5');
    expect(errorOf(concurrent)?.code).toBe('delivery_in_progress');
    release();
    expect((await first).status).toBe(200);
    expect(runs).toBe(1);
  });

  test('a store that fails to claim makes the delivery a 503, neither dropped nor handled', async () => {
    const failing: IdempotencyStore = {
      leaseMs: 3000,
      renew: () => true,
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => undefined,
      release: () => undefined,
    };
    const { webhooks, calls } = newReceiver({ store: failing });
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') }));
    expect(outcome.status).toBe(503);
    expect(errorOf(outcome)).toEqual({ code: 'store_unavailable', message: 'The idempotency store is unavailable; retry later.' });
    expect(outcome.error?.message).toMatch(/ECONNREFUSED/);
    expect(calls).toEqual([]);
  });

  test('a store that fails to record a handled delivery is reported, and the delivery is still answered 200', async () => {
    const store: IdempotencyStore = { leaseMs: 3000, renew: () => true, claim: () => 'claimed', complete: () => { throw new Error('write failed'); }, release: () => undefined };
    const { webhooks, calls } = newReceiver({ store });
    const reported: string[] = [];
    webhooks.onError((error) => void reported.push(`${error.code}: ${error.message}`));
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') }));
    expect(outcome.status).toBe(200);
    expect(calls).toHaveLength(1);
    // It says what happened: answered 200, not "answered so that the CRM retries it".
    expect(reported).toEqual([
      'store_unavailable: The idempotency store failed to record a handled delivery id (write failed). Its handlers had succeeded, ' +
        'so the delivery was answered 200; a copy that arrives after its claim lapses 3 s after it was last renewed would be handled again.',
    ]);
  });

  test('the same id from two providers is two deliveries', async () => {
    const { webhooks, calls } = newReceiver();
    await webhooks.receive(superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'same' } }));
    await webhooks.receive(highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey, webhookId: 'same' }));
    expect(calls).toHaveLength(2);
  });
});

describe('statuses', () => {
  test('no outcome is ever 410, which would disable a SuperOffice webhook', async () => {
    const { webhooks } = newReceiver({ maxBodyBytes: 2000 });
    webhooks.on('superoffice.relation.deleted', () => {
      throw new Error('fail');
    });
    const good = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    const inputs = [
      good,
      good,
      superOfficeDelivery({ secret, payload: superOfficeSample('relation.deleted') }),
      superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.changed') }),
      { headers: {}, body: '{}' },
      signedBody('nope'),
      signedBody('x'.repeat(3000)),
    ];
    const statuses = [];
    for (const input of inputs) statuses.push((await webhooks.receive(input)).status);
    expect(statuses).toEqual([200, 200, 500, 401, 401, 400, 413]);
  });
});
