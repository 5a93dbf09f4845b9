import { describe, expect, expectTypeOf, test } from 'vitest';
import { createWebHandler, createWebhooks, hubspot, type HubSpotAssociationChange, type HubSpotOptions } from '@crmhooks/core';
import { hubSpotAssociationSample, hubSpotDelivery, toRequest } from '@crmhooks/core/testing';

const secret = 'hubspot-client-secret';
const url = 'https://api.example.com/webhooks/crm?source=hubspot';

function receiver(options: Partial<HubSpotOptions> = {}) {
  const webhooks = createWebhooks({ providers: [hubspot({ clientSecret: secret, ...options })], logger: false });
  const seen: string[] = [];
  webhooks.onAny((event) => void seen.push(`${event.name}#${event.deliveryId}`));
  return { webhooks, seen };
}

const batch = () => [
  hubSpotAssociationSample(),
  hubSpotAssociationSample({ eventId: 2, associationRemoved: true, toObjectId: 7702 }),
  { ...hubSpotAssociationSample({ eventId: 3 }), subscriptionType: undefined, eventType: 'deal.associationChange', associationType: 'DEAL_TO_CONTACT' },
];
const send = (webhooks: ReturnType<typeof receiver>['webhooks'], events: object[] | string, options: { url?: string; timestamp?: number; signedUrl?: string; secret?: string } = {}) =>
  webhooks.receive({
    ...hubSpotDelivery({ secret: options.secret ?? secret, url: options.signedUrl ?? options.url ?? url, events, ...(options.timestamp !== undefined && { timestamp: options.timestamp }) }),
    method: 'POST',
    url: options.url ?? url,
  });

describe('HubSpot deliveries', () => {
  test('a batch: each event dispatched on its own, typed, with association events', async () => {
    const { webhooks, seen } = receiver();
    const changes: HubSpotAssociationChange[] = [];
    webhooks.on('hubspot.contact.associationChange', (event) => {
      expectTypeOf(event.associationRemoved).toEqualTypeOf<boolean>();
      changes.push(event);
    });
    const links: unknown[] = [];
    webhooks.on(['association.created', 'association.deleted'], (link) => void links.push([link.provider, link.action, link.from, link.to, link.definitionId]));
    const outcome = await send(webhooks, batch());
    expect(outcome.status).toBe(200);
    expect(seen).toEqual([
      'hubspot.contact.associationChange#62515:2254130:1839145287:1730805924052',
      'hubspot.contact.associationChange#62515:2254130:2:1730805924052',
      'hubspot.deal.associationChange#62515:2254130:3:1730805924052',
    ]);
    expect(changes).toHaveLength(2);
    expect(links).toEqual([
      ['hubspot', 'created', { objectType: 'contact', recordId: '51' }, { objectType: 'company', recordId: '7701' }, 'CONTACT_TO_COMPANY'],
      ['hubspot', 'deleted', { objectType: 'contact', recordId: '51' }, { objectType: 'company', recordId: '7702' }, 'CONTACT_TO_COMPANY'],
      ['hubspot', 'created', { objectType: 'deal', recordId: '51' }, { objectType: 'contact', recordId: '7701' }, 'DEAL_TO_CONTACT'],
    ]);
  });

  test('a duplicate batch is answered 200 without dispatching', async () => {
    const { webhooks, seen } = receiver();
    const delivery = { ...hubSpotDelivery({ secret, url, events: batch() }), method: 'POST', url };
    await webhooks.receive(delivery);
    const again = await webhooks.receive(delivery);
    expect([again.status, again.body]).toEqual([200, { ok: true, duplicate: true }]);
    expect(seen).toHaveLength(3);
  });

  test('a partial batch failure answers 503, a 5xx HubSpot retries; the retried batch runs only the events not yet handled', async () => {
    const { webhooks, seen } = receiver();
    let failures = 1;
    webhooks.on('association.deleted', () => {
      if (failures-- > 0) throw new Error('unlink failed');
    });
    const first = await send(webhooks, batch());
    expect([first.status, first.error?.code, first.headers['retry-after']]).toEqual([503, 'handler_failed', '5']);
    expect(first.events.map((event) => event.result)).toEqual(['handled', 'failed', 'handled']);
    const retry = await send(webhooks, batch().map((event) => ({ ...event, attemptNumber: 1 })));
    expect(retry.status).toBe(200);
    expect(retry.events.map((event) => event.result)).toEqual(['duplicate', 'handled', 'duplicate']);
    expect(seen.filter((entry) => entry.includes(':2:'))).toHaveLength(2);
  });

  test('distinct events always get distinct delivery ids, copies the same: events lacking the id fields, and eventIds past 2^53', async () => {
    const { webhooks, seen } = receiver();
    // A batch of 100 distinct events without portalId, subscriptionId, eventId or occurredAt.
    const bare = Array.from({ length: 100 }, (_, index) => ({ subscriptionType: 'contact.associationChange', attemptNumber: 0, fromObjectId: index, toObjectId: 7701 }));
    expect((await send(webhooks, bare)).events.map((event) => event.result)).toEqual(bare.map(() => 'handled'));
    expect(new Set(seen).size).toBe(100);
    // HubSpot's retry of the same events: only attemptNumber changes.
    const retried = await send(webhooks, bare.map((event) => ({ ...event, attemptNumber: 1 })));
    expect(retried.body).toEqual({ ok: true, duplicate: true });

    // 2^53 and 2^53 + 1 are one number after JSON.parse: the ids come from the signed text.
    const big = (eventId: string, attempt: number) =>
      JSON.stringify({ ...hubSpotAssociationSample(), attemptNumber: attempt, eventId: 0 }).replace('"eventId":0', `"eventId":${eventId}`);
    const pair = (attempt: number) => `[${big('9007199254740992', attempt)},${big('9007199254740993', attempt)}]`;
    expect((await send(webhooks, pair(0))).events.map((event) => event.result)).toEqual(['handled', 'handled']);
    expect((await send(webhooks, pair(4))).body).toEqual({ ok: true, duplicate: true });
    expect(seen).toHaveLength(102);
  });

  test('forged, unsigned, stale and future deliveries are 401 and dispatch nothing', async () => {
    const { webhooks, seen } = receiver();
    expect((await send(webhooks, batch(), { secret: 'wrong' })).error?.code).toBe('signature_invalid');
    const stale = await send(webhooks, batch(), { timestamp: Date.now() - 6 * 60_000 });
    expect([stale.status, stale.error?.code]).toEqual([401, 'timestamp_outside_window']);
    expect(stale.error?.message).toMatch(/X-HubSpot-Request-Timestamp is 6 min old, outside the 5 min replay window.*timestampToleranceMs/);
    expect((await send(webhooks, batch(), { timestamp: Date.now() + 6 * 60_000 })).error?.message).toMatch(/in the future/);
    const { 'x-hubspot-signature-v3': _dropped, ...unsigned } = hubSpotDelivery({ secret, url, events: batch() }).headers;
    expect((await webhooks.receive({ headers: unsigned, body: JSON.stringify(batch()), method: 'POST', url })).status).toBe(401);
    expect(seen).toEqual([]);
  });

  test('the URL is signed: another URL is refused, with advice about proxies', async () => {
    const { webhooks } = receiver();
    const outcome = await send(webhooks, batch(), { signedUrl: 'https://api.example.com/other' });
    expect(outcome.status).toBe(401);
    expect(outcome.error?.message).toMatch(/publicBaseUrl/);
  });

  test('behind a proxy, publicBaseUrl names the origin HubSpot called', async () => {
    const seenByServer = 'http://10.0.0.7:8080/webhooks/crm?source=hubspot';
    expect((await send(receiver().webhooks, batch(), { url: seenByServer, signedUrl: url })).status).toBe(401);
    const proxied = receiver({ publicBaseUrl: 'https://api.example.com' });
    expect((await send(proxied.webhooks, batch(), { url: seenByServer, signedUrl: url })).status).toBe(200);
  });

  test('URI escapes are decoded as HubSpot documents before verifying', async () => {
    const escaped = 'https://api.example.com/webhooks/crm?next=%2Fhome%3Fa%3A1&name=a%20b';
    expect((await send(receiver().webhooks, batch(), { url: escaped })).status).toBe(200);
  });

  test('client secrets rotate: several accepted at once', async () => {
    const webhooks = createWebhooks({ providers: [hubspot({ clientSecret: ['old', secret] })] });
    expect((await send(webhooks, batch(), { secret: 'old' })).status).toBe(200);
  });

  test('an empty client secret (an unset environment variable) fails at construction, naming the option and the fix', () => {
    expect(() => hubspot({ clientSecret: '' })).toThrow(
      /^hubspot\(\{ clientSecret \}\) is an empty string: it must be your HubSpot app's client secret\. .*leave this provider out/,
    );
  });

  test('v1 and v2 signatures only when opted in', async () => {
    for (const legacy of ['v1', 'v2'] as const) {
      const delivery = { ...hubSpotDelivery({ secret, url, events: batch(), legacy }), method: 'POST', url };
      const refused = await receiver().webhooks.receive(delivery);
      expect([refused.status, refused.error?.message]).toEqual([401, expect.stringMatching(/acceptLegacySignatures: true/)]);
      expect((await receiver({ acceptLegacySignatures: true }).webhooks.receive(delivery)).status).toBe(200);
    }
  });

  test('bodies that are not a batch of named events are 400', async () => {
    const { webhooks } = receiver();
    expect((await send(webhooks, JSON.stringify(hubSpotAssociationSample()))).error?.message).toMatch(/JSON array of events/);
    expect((await send(webhooks, '[]')).error?.message).toMatch(/1 to 100 events/);
    expect((await send(webhooks, Array.from({ length: 101 }, (_, i) => hubSpotAssociationSample({ eventId: i })))).status).toBe(400);
    expect((await send(webhooks, [{ eventId: 1 }])).error?.message).toMatch(/no "subscriptionType"/);
  });

  test('through the Web handler, with the request URL', async () => {
    const handler = createWebHandler(receiver().webhooks);
    const ok = await handler(toRequest(hubSpotDelivery({ secret, url, events: batch() }), url));
    expect(ok.status).toBe(200);
    const moved = await handler(toRequest(hubSpotDelivery({ secret, url, events: batch() }), 'https://api.example.com/elsewhere'));
    expect(moved.status).toBe(401);
  });
});
