import { describe, expect, test } from 'vitest';
import { createWebHandler, createWebhooks, highlevel, hubspot, superoffice } from '@crmhooks/core';
import { isJsonMediaType } from '../src/http/request-checks.js';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  hubSpotAssociationSample,
  hubSpotDelivery,
  superOfficeDelivery,
  superOfficeSample,
  toRequest,
} from '@crmhooks/core/testing';

const secret = 'web-secret';
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;
const keys = generateHighLevelKeyPair();

function setup(maxBodyBytes?: number) {
  const webhooks = createWebhooks({
    providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })],
    logger: false,
    ...(maxBodyBytes !== undefined && { maxBodyBytes }),
  });
  const calls: string[] = [];
  webhooks.on(['association.created', 'association.deleted'], (link) => void calls.push(`${link.provider}:${link.action}`));
  return { handler: createWebHandler(webhooks), calls };
}

describe('createWebHandler (Request -> Response)', () => {
  test('answers genuine deliveries from both providers 200 with a JSON body', async () => {
    const { handler, calls } = setup();
    const so = await handler(toRequest(superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') })));
    const hl = await handler(
      toRequest(highLevelDelivery({ type: 'RelationDelete', payload: highLevelSample('RelationDelete'), privateKey: keys.privateKey, webhookId: 'w1' })),
    );
    expect([so.status, hl.status]).toEqual([200, 200]);
    expect(so.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await hl.json()).toEqual({ ok: true });
    expect(calls).toEqual(['superoffice:created', 'highlevel:deleted']);
  });

  test('a failed delivery asks each CRM for a retry its way: HighLevel 429, SuperOffice 500, both with Retry-After', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })], logger: false });
    webhooks.on('association.created', () => {
      throw new Error('database down');
    });
    const handler = createWebHandler(webhooks);
    const highLevel = await handler(toRequest(highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey })));
    const superOffice = await handler(toRequest(superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') })));
    expect([highLevel.status, highLevel.headers.get('retry-after')]).toEqual([429, '5']);
    expect([superOffice.status, superOffice.headers.get('retry-after')]).toEqual([500, '5']);
  });

  test('HubSpot: a signature over request.url or over the Host header\'s URL is accepted, over neither 401', async () => {
    const webhooks = createWebhooks({ providers: [hubspot({ clientSecret: secret })], logger: false });
    const handler = createWebHandler(webhooks);
    // As Next.js (request.url rewritten) and Miniflare (Host header rewritten) present one request.
    const send = (signedFor: string, eventId: number) => {
      const delivery = hubSpotDelivery({ secret, url: signedFor, events: [hubSpotAssociationSample({ eventId })] });
      return handler(new Request('http://localhost:3000/hooks?x=1', { method: 'POST', headers: { ...delivery.headers, host: '127.0.0.1:3000' }, body: delivery.body }));
    };
    expect((await send('http://localhost:3000/hooks?x=1', 1)).status).toBe(200);
    expect((await send('http://127.0.0.1:3000/hooks?x=1', 2)).status).toBe(200);
    const other = await send('http://example.com/hooks?x=1', 3);
    expect([other.status, (await errorCode(other)).code]).toEqual([401, 'signature_invalid']);
  });

  test('a duplicate is answered 200 and says so', async () => {
    const { handler } = setup();
    const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('relation.deleted') });
    await handler(toRequest(delivery));
    const again = await handler(toRequest(delivery));
    expect([again.status, await again.json()]).toEqual([200, { ok: true, duplicate: true }]);
  });

  test('a forged delivery is 401 with a JSON error', async () => {
    const { handler, calls } = setup();
    const response = await handler(toRequest(superOfficeDelivery({ secret: 'forged', payload: superOfficeSample('relation.created') })));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'signature_invalid', message: expect.any(String) } });
    expect(calls).toEqual([]);
  });

  test('methods other than POST are 405 with an Allow header', async () => {
    const { handler } = setup();
    const response = await handler(new Request('http://127.0.0.1/webhooks/crm', { method: 'GET' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await errorCode(response)).code).toBe('method_not_allowed');
  });

  test('a body that is not JSON is 415', async () => {
    const { handler } = setup();
    const delivery = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    const response = await handler(toRequest({ ...delivery, headers: { ...delivery.headers, 'content-type': 'text/plain' } }));
    expect(response.status).toBe(415);
    expect((await errorCode(response)).message).toMatch(/Expected a JSON body/);
  });

  test('a declared length over the limit is 413 before the body is read, and the connection is closed', async () => {
    const { handler } = setup(64);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(64).fill(0x20));
      },
    });
    const request = new Request('http://127.0.0.1/webhooks/crm', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100000' },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await handler(request);
    expect([response.status, response.headers.get('connection')]).toEqual([413, 'close']);
    expect((await errorCode(response)).message).toMatch(/is 100000 bytes, over the 64-byte limit/);
    expect(pulled).toBeLessThanOrEqual(1); // the stream's own first pull, before anyone reads
  });

  test('a streamed body with no declared length stops being read past the limit', async () => {
    const { handler } = setup(1024);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(512).fill(0x20));
      },
    });
    const request = new Request('http://127.0.0.1/webhooks/crm', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    const response = await handler(request);
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });
});

describe('isJsonMediaType', () => {
  test.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/vnd.api+json', true],
    ['text/json', true],
    ['application/jsonp', false],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
  ])('%s -> %s', (contentType, expected) => {
    expect(isJsonMediaType(contentType)).toBe(expected);
  });
});
