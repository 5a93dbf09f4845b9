import { connect } from 'node:net';
import { createServer } from 'node:http';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createWebhooks, highlevel, superoffice, type QueuedEvent } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { generateHighLevelKeyPair, signSuperOffice, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { listen, post } from '../../../test/support/http.js';

const secret = 'hostile-secret';
const keys = generateHighLevelKeyPair();
const DOCUMENTED = [200, 400, 401, 409, 413, 429, 500, 503];

function receiver(maxBodyBytes?: number) {
  const webhooks = createWebhooks({
    providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })],
    logger: false,
    ...(maxBodyBytes !== undefined && { maxBodyBytes }),
  });
  let dispatched = 0;
  webhooks.onAny(() => void (dispatched += 1));
  return { webhooks, dispatched: () => dispatched };
}

const headerName = fc.oneof(
  fc.constantFrom('x-superoffice-signature', 'X-SuperOffice-Signature', 'x-superoffice-event', 'x-ghl-signature', 'x-wh-signature', 'content-type', 'x-hook-test'),
  fc.string({ maxLength: 20 }),
);
const headerValue = fc.oneof(fc.string({ maxLength: 100 }), fc.base64String({ maxLength: 100 }), fc.constant('N/A'), fc.array(fc.string(), { maxLength: 3 }));
const body = fc.oneof(
  fc.string({ maxLength: 500 }),
  fc.uint8Array({ maxLength: 500 }),
  fc.json().map((json) => json),
  fc.constant(JSON.stringify(superOfficeSample('relation.created'))),
);

describe('hostile input (property-based)', () => {
  test('random bodies, headers and signatures: never throws, never dispatches, only documented statuses', async () => {
    const { webhooks, dispatched } = receiver(400);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(headerName, headerValue, { maxKeys: 8 }), body, async (headers, raw) => {
        const outcome = await webhooks.receive({ headers: headers as Record<string, string>, body: raw });
        expect(DOCUMENTED).toContain(outcome.status);
        expect(outcome.status).not.toBe(410);
      }),
      { numRuns: 400 },
    );
    expect(dispatched()).toBe(0);
  });

  test('correctly signed but arbitrary JSON: never throws; dispatches only what it answers 200', async () => {
    const { webhooks, dispatched } = receiver();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.json({ maxDepth: 4 }), async (json) => {
        const headers = { 'x-superoffice-signature': signSuperOffice(json, secret) };
        const outcome = await webhooks.receive({ headers, body: json });
        expect([200, 400]).toContain(outcome.status);
        if (outcome.status === 200) accepted += outcome.events.filter((event) => event.result === 'handled').length;
      }),
      { numRuns: 300 },
    );
    expect(dispatched()).toBe(accepted);
  });
});

describe('hostile input (named cases)', () => {
  const signed = (text: string) => ({ headers: { 'x-superoffice-signature': signSuperOffice(text, secret) }, body: text });

  test('deeply nested JSON is a 400 or a 200, never a crash', async () => {
    const { webhooks } = receiver();
    const depth = 400_000;
    const outcome = await webhooks.receive(signed(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    expect(outcome.status).toBe(400);
  });

  test('a validly signed relation nested deeper than 64 levels is refused at parse (400 payload_invalid, naming the limit); 64 is accepted', async () => {
    const { webhooks, dispatched } = receiver();
    // The event object is level 1, so Properties nested n deep makes the body n + 1 deep
    // (built as text: JSON.stringify itself overflows its stack on such values).
    const nested = (depth: number) => {
      const open = Array.from({ length: depth }, (_, level) => (level % 2 ? '[' : '{"value":')).join('');
      const close = Array.from({ length: depth }, (_, level) => (level % 2 ? ']' : '}')).reverse().join('');
      return JSON.stringify({ ...superOfficeSample('relation.created'), EventId: `deep-${depth}`, Properties: 'x' }).replace('"x"', `${open}"leaf"${close}`);
    };
    for (const depth of [10_000, 5_000, 64]) {
      const outcome = await webhooks.receive(signed(nested(depth)));
      expect([outcome.status, outcome.error?.code], `${depth}`).toEqual([400, 'payload_invalid']);
      expect(outcome.error?.message).toMatch(/more than 64 levels deep/);
    }
    expect((await webhooks.receive(signed(nested(63)))).status).toBe(200);
    // Brackets inside strings are text, not nesting.
    const inStrings = JSON.stringify({ ...superOfficeSample('relation.created'), EventId: 'deep-text', Properties: { note: '[{'.repeat(500) + '\\"' } });
    expect((await webhooks.receive(signed(inStrings))).status).toBe(200);
    expect(dispatched()).toBe(2);
  });

  test('a validly signed delivery id, event name or tenant with a control character, or longer than 500 characters, is parked and answered 200 (SuperOffice stops), never dispatched nor retried forever', async () => {
    const { webhooks, dispatched } = receiver();
    const parked: QueuedEvent[] = [];
    const withSink = createWebhooks({ providers: [superoffice({ secret })], logger: false, deadLetters: { park: (event) => void parked.push(event) } });
    const cases = [{ EventId: 'bad\u0000id' }, { EventId: 'line\nbreak' }, { Event: 'relation.created\u0001' }, { EventId: 'x'.repeat(501) }, { ContextIdentifier: 'C\u0000' }];
    for (const fields of cases) {
      for (const target of [webhooks, withSink]) {
        const outcome = await target.receive(signed(JSON.stringify({ ...superOfficeSample('relation.created'), ...fields })));
        expect([outcome.status, outcome.error?.code, outcome.events.map((event) => event.result)], JSON.stringify(fields)).toEqual([200, 'event_parked', ['parked']]);
        expect(outcome.error?.message).toMatch(/cannot be processed: its delivery id, event name or tenant is longer than 500 characters or holds a control character/);
      }
    }
    expect(parked.map((event) => event.deliveryId)).toEqual(['bad\u0000id', 'line\nbreak', superOfficeSample('relation.created').EventId, 'x'.repeat(501), superOfficeSample('relation.created').EventId]);
    expect((await webhooks.receive(signed(JSON.stringify({ ...superOfficeSample('relation.created'), EventId: 'tab-free \u00e9' })))).status).toBe(200);
    expect((await webhooks.receive(signed(JSON.stringify({ ...superOfficeSample('relation.created'), EventId: 'y'.repeat(500) })))).status).toBe(200);
    expect(dispatched()).toBe(2);
  });

  test('an object with a huge number of keys is handled', async () => {
    const { webhooks, dispatched } = receiver();
    const many = Object.fromEntries(Array.from({ length: 30_000 }, (_, index) => [`k${index}`, index]));
    const outcome = await webhooks.receive(signed(JSON.stringify({ ...superOfficeSample('relation.created'), Properties: many })));
    expect(outcome.status).toBe(200);
    expect(dispatched()).toBe(1);
  });

  test('__proto__ and constructor keys pollute nothing', async () => {
    const { webhooks } = receiver();
    let seen: Record<string, unknown> | undefined;
    webhooks.on('superoffice.relation.created', (event) => void (seen = event as unknown as Record<string, unknown>));
    const text = JSON.stringify(superOfficeSample('relation.created')).replace(
      /^\{/,
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
    );
    const outcome = await webhooks.receive(signed(text));
    expect(outcome.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.hasOwn(seen!, '__proto__')).toBe(true);
    // An Event named like a prototype property is just an unknown event.
    const proto = await webhooks.receive(signed(JSON.stringify({ ...superOfficeSample('relation.created'), Event: 'constructor', EventId: 'p1' })));
    expect(proto.status).toBe(200);
    expect(proto.events[0]?.name).toBe('superoffice.constructor');
  });

  test('a repeated signature header: the first value counts', async () => {
    const { webhooks } = receiver();
    const good = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    const signature = good.headers['x-superoffice-signature']!;
    const forged = signSuperOffice('other', secret);
    expect((await webhooks.receive({ headers: { 'x-superoffice-signature': [signature, forged] }, body: good.body })).status).toBe(200);
    expect((await webhooks.receive({ headers: { 'x-superoffice-signature': [forged, signature] }, body: good.body })).status).toBe(401);
  });

  test('header values with surrounding whitespace are trimmed; other junk fails verification', async () => {
    const { webhooks } = receiver();
    const good = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'ws-1' } });
    const signature = good.headers['x-superoffice-signature']!;
    expect((await webhooks.receive({ headers: { 'x-superoffice-signature': `  ${signature}\t` }, body: good.body })).status).toBe(200);
    expect((await webhooks.receive({ headers: { 'x-superoffice-signature': `${signature}x` }, body: good.body })).status).toBe(401);
    const broken = `${signature.slice(0, 20)}\r\n${signature.slice(20)}`;
    expect((await webhooks.receive({ headers: { 'x-superoffice-signature': broken }, body: good.body })).status).toBe(401);
  });

  test('only the exact base64 text of the signature counts: no other spelling of the same bytes', async () => {
    const { webhooks, dispatched } = receiver();
    const good = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'spelling-1' } });
    const signature = good.headers['x-superoffice-signature']!;
    const withSignature = (value: string) => webhooks.receive({ headers: { 'x-superoffice-signature': value }, body: good.body });
    // The last character of 32 bytes in base64 carries two unused bits: Node decodes both spellings alike.
    const lastIndex = signature.length - 2;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const nonCanonical = signature.slice(0, lastIndex) + alphabet[alphabet.indexOf(signature[lastIndex]!) ^ 1] + '=';
    expect(Buffer.from(nonCanonical, 'base64').equals(Buffer.from(signature, 'base64'))).toBe(true);
    expect((await withSignature(nonCanonical)).status).toBe(401);
    // A character above U+00FF must not collapse onto the base64 character of its low byte.
    const wide = String.fromCharCode(signature.charCodeAt(0) + 0x100) + signature.slice(1);
    expect((await withSignature(wide)).status).toBe(401);
    expect(dispatched()).toBe(0);
    expect((await withSignature(signature)).status).toBe(200);
  });

  test('a JSON body that is not an object, and an empty body, are 400', async () => {
    const { webhooks } = receiver();
    for (const text of ['[]', '"x"', '1', 'true', 'null', '']) expect((await webhooks.receive(signed(text))).status, text).toBe(400);
  });
});

describe('hostile HTTP (raw sockets against node:http)', () => {
  /** Writes `raw` on a socket kept open (`end: false`) or half-closed, and resolves with all that came back. */
  async function rawRequest(url: string, raw: string, end = true): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname, () => (end ? socket.end(raw) : socket.write(raw)));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
    });
  }

  test('a Content-Length that lies: longer than the body waits for bodyTimeoutMs, then 408 and closed; shorter never dispatches', async () => {
    const { webhooks, dispatched } = receiver();
    const server = await listen(createServer(createNodeHandler(webhooks, { bodyTimeoutMs: 300 })));
    try {
      const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
      const head = (length: number) =>
        `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-SuperOffice-Signature: ${delivery.headers['x-superoffice-signature']}\r\nContent-Length: ${length}\r\n\r\n`;
      // The socket stays open: the server cannot tell a liar from a slow client until the body timeout.
      const tooLong = await rawRequest(server.url, head(delivery.body.length + 50) + delivery.body, false);
      expect(tooLong).toMatch(/^HTTP\/1.1 408 [^]*connection: close[^]*"request_timeout"/i);
      const tooShort = await rawRequest(server.url, head(delivery.body.length - 10) + delivery.body, false);
      // The first request's body ends early (401), and Node answers the leftover bytes 400 itself, sometimes first.
      expect(tooShort).toMatch(/^HTTP\/1.1 40[01] /);
      expect(dispatched()).toBe(0);
      expect((await post(`${server.url}/webhooks/crm`, delivery)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
