import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  createWebhooks,
  highlevel,
  hubspot,
  superoffice,
  type DeliveryReceiver,
  type HighLevelRelationCreate,
  type SuperOfficeRelationDeleted,
} from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';
import {
  generateHighLevelKeyPair,
  HIGHLEVEL_SAMPLE_EVENTS,
  hubSpotAssociationSample,
  hubSpotDelivery,
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
} from '@crmhooks/core/testing';
import { abortMidBody, connectionCount, post, trickle, type RunningServer } from './http.js';

/** How a framework's tests start an app with the middleware on `/webhooks/crm`. */
export interface AdapterHarness {
  /** `route`: the framework's `post(path, middleware)`; `use`: `use(middleware)` with the `path` option. */
  start(receiver: DeliveryReceiver, options: AdapterOptions, mount: 'route' | 'use'): Promise<RunningServer>;
}

export const secret = 'adapter-suite-secret';
export const keys = generateHighLevelKeyPair();
export const ROUTE = '/webhooks/crm';

/** A receiver for both CRMs, recording every native event it dispatched. */
export const hubSpotSecret = 'adapter-suite-hubspot-secret';

export function newReceiver(hubSpotOptions: { publicBaseUrl?: string } = {}) {
  const webhooks = createWebhooks({
    providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey }), hubspot({ clientSecret: hubSpotSecret, ...hubSpotOptions })],
  });
  const dispatched: string[] = [];
  webhooks.onAny((event) => void dispatched.push(event.name));
  return { webhooks, dispatched };
}

export const relationCreated = (eventId = 'so-evt-1') =>
  superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

/** The cases every Node adapter must pass, run against one framework version. */
export function describeAdapterSuite(name: string, harness: AdapterHarness): void {
  describe(`${name}: shared adapter behaviour`, () => {
    async function withServer<T>(
      run: (server: RunningServer, receiver: ReturnType<typeof newReceiver>) => Promise<T>,
      options: AdapterOptions = {},
      mount: 'route' | 'use' = 'route',
    ): Promise<T> {
      const receiver = newReceiver();
      const server = await harness.start(receiver.webhooks, options, mount);
      try {
        return await run(server, receiver);
      } finally {
        await server.close();
      }
    }

    test('every typed SuperOffice event reaches its typed handler', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        const deleted: SuperOfficeRelationDeleted[] = [];
        webhooks.on('superoffice.relation.deleted', (event) => {
          expectTypeOf(event.Values?.relation_id).toEqualTypeOf<number | undefined>();
          deleted.push(event);
        });
        for (const event of ['relation.created', 'relation.changed', 'relation.deleted', 'test'] as const) {
          const answer = await post(url + ROUTE, superOfficeDelivery({ secret, payload: superOfficeSample(event) }));
          expect(answer.status, event).toBe(200);
        }
        expect(dispatched).toEqual([
          'superoffice.relation.created',
          'superoffice.relation.changed',
          'superoffice.relation.deleted',
          'superoffice.test',
        ]);
        expect(deleted).toEqual([superOfficeSample('relation.deleted')]);
      }));

    test('every typed HighLevel event reaches its typed handler', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        const created: HighLevelRelationCreate[] = [];
        webhooks.on('highlevel.RelationCreate', (event) => {
          expectTypeOf(event.firstRecordId).toEqualTypeOf<string>();
          created.push(event);
        });
        for (const type of HIGHLEVEL_SAMPLE_EVENTS) {
          const answer = await post(
            url + ROUTE,
            highLevelDelivery({ type, payload: highLevelSample(type), privateKey: keys.privateKey }),
          );
          expect(answer.status, type).toBe(200);
        }
        expect(dispatched).toEqual(HIGHLEVEL_SAMPLE_EVENTS.map((type) => `highlevel.${type}`));
        expect(created).toEqual([expect.objectContaining(highLevelSample('RelationCreate'))]);
      }));

    const hubSpotBatch = (attemptNumber = 0) => [
      hubSpotAssociationSample({ attemptNumber }),
      hubSpotAssociationSample({ eventId: 2, associationRemoved: true, attemptNumber }),
    ];

    test('HubSpot: a signed batch is dispatched event by event; a batch signed for another URL is 401', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        const links: string[] = [];
        webhooks.on(['association.created', 'association.deleted'], (link) => void links.push(`${link.provider}:${link.action}`));
        const ok = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch() }));
        expect(ok.status).toBe(200);
        expect(links).toEqual(['hubspot:created', 'hubspot:deleted']);
        const elsewhere = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: `${url}/other`, events: hubSpotBatch() }));
        expect(elsewhere.status).toBe(401);
        const forged = await post(url + ROUTE, hubSpotDelivery({ secret: 'guess', url: url + ROUTE, events: hubSpotBatch() }));
        expect(forged.body.error?.code).toBe('signature_invalid');
        const stale = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch(), timestamp: Date.now() - 600_000 }));
        const future = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch(), timestamp: Date.now() + 600_000 }));
        expect([stale.body.error?.code, future.body.error?.code]).toEqual(['timestamp_outside_window', 'timestamp_outside_window']);
        const again = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch(1) }));
        expect(again.body).toEqual({ ok: true, duplicate: true });
        expect(dispatched).toHaveLength(2);
      }));

    test('HubSpot: a partial batch failure answers 500, and the retried batch runs only the failed event', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        let failures = 1;
        webhooks.on('association.deleted', () => {
          if (failures-- > 0) throw new Error('unlink failed');
        });
        const first = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch() }));
        expect(first.status).toBe(500);
        const retry = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch(1) }));
        expect(retry.status).toBe(200);
        expect(dispatched).toEqual(['hubspot.contact.associationChange', 'hubspot.contact.associationChange', 'hubspot.contact.associationChange']);
      }));

    test('HubSpot behind a proxy: publicBaseUrl makes the public URL verify', async () => {
      const receiver = newReceiver({ publicBaseUrl: 'https://hooks.example.com' });
      const server = await harness.start(receiver.webhooks, {}, 'route');
      try {
        const delivery = hubSpotDelivery({ secret: hubSpotSecret, url: `https://hooks.example.com${ROUTE}`, events: hubSpotBatch() });
        expect((await post(server.url + ROUTE, delivery)).status).toBe(200);
        expect(receiver.dispatched).toHaveLength(2);
      } finally {
        await server.close();
      }
    });

    test('forged, unsigned and mis-signed deliveries are answered 401 and nothing is dispatched', () =>
      withServer(async ({ url }, { dispatched }) => {
        const genuine = relationCreated();
        const { 'x-superoffice-signature': _dropped, ...unsigned } = genuine.headers;
        const otherBody = relationCreated('another-event');
        const cases = {
          'wrong secret': superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.created') }),
          'missing signature': { headers: unsigned, body: genuine.body },
          'signature of another body': { headers: otherBody.headers, body: genuine.body },
          'HighLevel N/A': highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate') }),
          'HighLevel wrong key': highLevelDelivery({
            type: 'RelationCreate',
            payload: highLevelSample('RelationCreate'),
            privateKey: generateHighLevelKeyPair().privateKey,
          }),
          'no CRM headers': { headers: { 'content-type': 'application/json' }, body: genuine.body },
        };
        for (const [label, delivery] of Object.entries(cases)) {
          const answer = await post(url + ROUTE, delivery);
          expect(answer.status, label).toBe(401);
          expect(answer.body.error?.code, label).toMatch(/^signature_(missing|invalid)$/);
        }
        expect(dispatched).toEqual([]);
      }));

    test('malformed JSON is answered 400 with what was wrong', () =>
      withServer(async ({ url }) => {
        const answer = await post(url + ROUTE, superOfficeDelivery({ secret, payload: '{"Event": "relation.created",' }));
        expect(answer.status).toBe(400);
        expect(answer.body.error).toEqual({ code: 'payload_invalid', message: expect.stringMatching(/not valid JSON: .+/) });
      }));

    test('an oversized body is answered 413 and the server keeps serving', () =>
      withServer(
        async ({ url }, { dispatched }) => {
          const big = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), Pad: 'x'.repeat(5000) } });
          expect((await post(url + ROUTE, big)).status).toBe(413);
          // Declared length hidden: the limit still stops the read.
          const chunked = await fetch(url + ROUTE, {
            method: 'POST',
            headers: big.headers,
            body: new Blob([big.body]).stream(),
            duplex: 'half',
          } as RequestInit);
          expect(chunked.status).toBe(413);
          expect((await post(url + ROUTE, relationCreated())).status).toBe(200);
          expect(dispatched).toEqual(['superoffice.relation.created']);
        },
        { maxBodyBytes: 4096 },
      ));

    test('a duplicate delivery is handled once', () =>
      withServer(async ({ url }, { dispatched }) => {
        const delivery = relationCreated();
        const answers = [await post(url + ROUTE, delivery), await post(url + ROUTE, delivery)];
        expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
          [200, { ok: true }],
          [200, { ok: true, duplicate: true }],
        ]);
        expect(dispatched).toEqual(['superoffice.relation.created']);
      }));

    test('a handler that throws answers 5xx, and the retry of the same delivery is handled', () =>
      withServer(async ({ url }, { webhooks }) => {
        let attempts = 0;
        webhooks.on('association.created', () => {
          attempts += 1;
          if (attempts === 1) throw new Error('database unavailable');
        });
        const delivery = relationCreated();
        const first = await post(url + ROUTE, delivery);
        expect(first.status).toBe(500);
        expect(first.body.error?.code).toBe('handler_failed');
        expect(JSON.stringify(first.body)).not.toContain('database unavailable');
        const retry = await post(url + ROUTE, delivery);
        expect(retry.status).toBe(200);
        expect(attempts).toBe(2);
      }));

    test('a request aborted mid-body does not crash the server, claim the delivery, or leak the connection', () =>
      withServer(async ({ url, server }, { dispatched }) => {
        await abortMidBody(url + ROUTE, relationCreated());
        await expect.poll(() => connectionCount(server)).toBe(0);
        expect((await post(url + ROUTE, relationCreated())).status).toBe(200);
        expect(dispatched).toEqual(['superoffice.relation.created']);
      }));

    test('a client trickling the body is answered 408 after bodyTimeoutMs, and the server keeps serving', () =>
      withServer(
        async ({ url, server }, { dispatched }) => {
          expect(await trickle(url + ROUTE, relationCreated(), 50)).toBe(408);
          await expect.poll(() => connectionCount(server)).toBe(0);
          expect((await post(url + ROUTE, relationCreated('after-slow-client'))).status).toBe(200);
          expect(dispatched).toEqual(['superoffice.relation.created']);
        },
        { bodyTimeoutMs: 200 },
      ));

    test('other methods get 405 with Allow, other media types 415, all as JSON errors', () =>
      withServer(
        async ({ url }) => {
        const get = await fetch(url + ROUTE);
        expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
        expect(((await get.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
        const delivery = relationCreated();
        const text = await post(url + ROUTE, { ...delivery, headers: { ...delivery.headers, 'content-type': 'text/plain' } });
        expect([text.status, text.body.error?.code]).toEqual([415, 'unsupported_media_type']);
        },
        { path: ROUTE },
        'use',
      ));

    test('with the path option, only that path is handled and other routes keep working', () =>
      withServer(
        async ({ url }, { dispatched }) => {
          expect((await post(url + ROUTE, relationCreated())).status).toBe(200);
          const other = await fetch(`${url}/health`);
          expect([other.status, await other.text()]).toEqual([200, 'ok']);
          expect(dispatched).toHaveLength(1);
        },
        { path: ROUTE },
        'use',
      ));

    test('success.status applies to HighLevel, while SuperOffice always gets exactly 200', () =>
      withServer(
        async ({ url }) => {
          const highLevel = await post(
            url + ROUTE,
            highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey }),
          );
          expect([highLevel.status, highLevel.body]).toEqual([202, { received: true }]);
          expect((await post(url + ROUTE, relationCreated())).status).toBe(200);
        },
        { success: { status: 202, body: { received: true } } },
      ));

    test('the logger hears about rejected and failed deliveries', async () => {
      const lines: string[] = [];
      const logger = { error: (line: string) => void lines.push(`error ${line}`), warn: (line: string) => void lines.push(`warn ${line}`) };
      await withServer(
        async ({ url }, { webhooks }) => {
          webhooks.on('superoffice.relation.created', () => {
            throw new Error('boom');
          });
          await post(url + ROUTE, superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.created') }));
          await post(url + ROUTE, relationCreated());
        },
        { logger },
      );
      expect(lines).toEqual([
        expect.stringMatching(/^warn crmhooks: 401 signature_invalid \(superoffice\): /),
        expect.stringMatching(/^error crmhooks: 500 handler_failed \(superoffice\): A handler failed .*boom/),
      ]);
    });
  });
}
