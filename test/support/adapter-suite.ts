import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  attio,
  createWebhooks,
  dataverse,
  highlevel,
  hubspot,
  superoffice,
  type DeliveryReceiver,
  type HighLevelRelationCreate,
  type LogFields,
  type Logger,
  type SuperOfficeRelationDeleted,
} from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';
import {
  attioDelivery,
  attioListEntrySample,
  dataverseAssociateSample,
  dataverseDelivery,
  generateHighLevelKeyPair,
  HIGHLEVEL_SAMPLE_EVENTS,
  hubSpotAssociationSample,
  hubSpotDelivery,
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
} from '@crmhooks/core/testing';
import { abortMidBody, connectionCount, post, pourAfterRefusal, trickle, type RunningServer } from './http.js';

/** How a framework's tests start an app with the middleware on `/webhooks/crm`. */
export interface AdapterHarness {
  /**
   * `route`: mounted on `route` (default `ROUTE`) the framework's way (Express `app.use(path, …)`, Koa `router.all`,
   * Fastify's and Nest's `path` option); `use`: `use(middleware)` with the `path` option.
   */
  start(receiver: DeliveryReceiver, options: AdapterOptions, mount: 'route' | 'use', route?: string): Promise<RunningServer>;
}

/** Two customers of one SuperOffice app, each with its own webhook secret. */
export const TENANT_SECRETS: Readonly<Record<string, string>> = { Cust1: 'secret-of-cust1', Cust2: 'secret-of-cust2' };

/** A SuperOffice relation.created of `tenant`, signed with `signer`'s secret (its own by default). */
export const tenantDelivery = (tenant: string, signer = tenant, eventId = `${tenant}-evt`) =>
  superOfficeDelivery({ secret: TENANT_SECRETS[signer] ?? 'unknown', payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant } });

export const secret = 'adapter-suite-secret';
export const keys = generateHighLevelKeyPair();
export const ROUTE = '/webhooks/crm';

/** A receiver for every CRM, recording every native event it dispatched. */
export const hubSpotSecret = 'adapter-suite-hubspot-secret';
export const attioSecret = 'adapter-suite-attio-secret';
export const dataverseKey = 'adapter-suite-dataverse-key';

export function newReceiver(hubSpotOptions: { publicBaseUrl?: string } = {}, logger: Logger | false = false) {
  const webhooks = createWebhooks({
    providers: [
      superoffice({ secret }),
      highlevel({ publicKeys: keys.publicKey }),
      hubspot({ clientSecret: hubSpotSecret, ...hubSpotOptions }),
      attio({ secret: attioSecret }),
      dataverse({ key: dataverseKey, acceptQueryKey: true }),
    ],
    logger,
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
      logger: Logger | false = false,
    ): Promise<T> {
      const receiver = newReceiver({}, logger);
      const server = await harness.start(receiver.webhooks, options, mount);
      try {
        return await run(server, receiver);
      } finally {
        await server.close();
      }
    }

    describe('many customers: the path names the tenant, and each tenant verifies with its own secret', () => {
      const TENANT_ROUTE = '/webhooks/superoffice/:tenant';
      for (const mount of ['route', 'use'] as const) {
        test(`${mount === 'route' ? "the router's :tenant" : 'the path option'}: a body signed by another tenant is 401, each tenant's own is handled with its tenant`, async () => {
          const warnings: LogFields[] = [];
          const webhooks = createWebhooks({
            providers: [superoffice({ secret: (tenant) => TENANT_SECRETS[tenant] })],
            logger: { warn: (fields) => void warnings.push(fields), error: () => undefined },
          });
          const handled: string[] = [];
          webhooks.on('association.created', (link, context) => void handled.push(`${context.tenant}/${link.tenant}`));
          const options = mount === 'use' ? { path: TENANT_ROUTE } : {};
          const server = await harness.start(webhooks, options, mount, TENANT_ROUTE);
          try {
            const at = (tenant: string) => `${server.url}/webhooks/superoffice/${tenant}`;
            // Cust1 signs a body naming Cust2 with its own secret: refused at either address.
            const atOwn = await post(at('Cust1'), tenantDelivery('Cust2', 'Cust1'));
            const atOther = await post(at('Cust2'), tenantDelivery('Cust2', 'Cust1'));
            expect([atOwn.status, atOwn.body.error?.code]).toEqual([401, 'tenant_mismatch']);
            expect([atOther.status, atOther.body.error?.code]).toEqual([401, 'signature_invalid']);
            const unknown = await post(at('Cust9'), tenantDelivery('Cust9', 'Cust1'));
            expect([unknown.status, unknown.body.error?.code]).toEqual([401, 'tenant_unknown']);
            expect(unknown.body.error?.message).toContain('"Cust9"');
            expect(handled).toEqual([]);
            expect((await post(at('Cust1'), tenantDelivery('Cust1'))).status).toBe(200);
            expect((await post(at('Cust2'), tenantDelivery('Cust2'))).status).toBe(200);
            expect(handled).toEqual(['Cust1/Cust1', 'Cust2/Cust2']);
            expect(warnings.map((fields) => [fields.code, fields.tenant])).toEqual([
              ['tenant_mismatch', 'Cust1'],
              ['signature_invalid', 'Cust2'],
              ['tenant_unknown', 'Cust9'],
            ]);
            expect(JSON.stringify(warnings)).not.toContain('secret-of');
          } finally {
            await server.close();
          }
        });
      }
    });

    test('every typed SuperOffice event reaches its typed handler', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        const deleted: SuperOfficeRelationDeleted[] = [];
        webhooks.on('superoffice.relation.deleted', (event) => {
          expectTypeOf(event.Values?.relation_id).toEqualTypeOf<number | undefined>();
          deleted.push(event);
        });
        const sent: unknown[] = [];
        for (const event of ['relation.created', 'relation.changed', 'relation.deleted', 'test'] as const) {
          const delivery = superOfficeDelivery({ secret, payload: superOfficeSample(event) });
          sent.push(JSON.parse(delivery.body));
          const answer = await post(url + ROUTE, delivery);
          expect(answer.status, event).toBe(200);
        }
        expect(dispatched).toEqual([
          'superoffice.relation.created',
          'superoffice.relation.changed',
          'superoffice.relation.deleted',
          'superoffice.test',
        ]);
        expect(deleted).toEqual([sent[2]]);
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

    test('HubSpot: a partial batch failure answers 503, and the retried batch runs only the failed event', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        let failures = 1;
        webhooks.on('association.deleted', () => {
          if (failures-- > 0) throw new Error('unlink failed');
        });
        const first = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch() }));
        expect(first.status).toBe(503);
        const retry = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: hubSpotBatch(1) }));
        expect(retry.status).toBe(200);
        expect(dispatched).toEqual(['hubspot.contact.associationChange', 'hubspot.contact.associationChange', 'hubspot.contact.associationChange']);
      }));

    test('Attio and Dataverse: dispatched with their association events (one per related Dataverse row); a wrong secret or key is 401; a Dataverse key in the code query parameter is read from the URL', () =>
      withServer(async ({ url }, { webhooks, dispatched }) => {
        const links: string[] = [];
        webhooks.on(['association.created', 'association.deleted'], (link) => void links.push(`${link.provider}:${link.action}:${link.to.recordId}`));
        expect((await post(url + ROUTE, attioDelivery({ secret: attioSecret, events: [attioListEntrySample('list-entry.deleted')] }))).status).toBe(200);
        expect((await post(url + ROUTE, dataverseDelivery({ key: dataverseKey, context: dataverseAssociateSample('Associate', { related: 2 }) }))).status).toBe(200);
        const inQuery = dataverseDelivery({ key: dataverseKey, context: dataverseAssociateSample('Disassociate', { related: 1 }), queryUrl: url + ROUTE });
        expect((await post(inQuery.url!, inQuery)).status).toBe(200);
        expect(links).toEqual([
          'attio:deleted:33ebdbe9-e529-47c9-b894-0ba25e9c15c0',
          'dataverse:created:7e0c5d3a-0f9f-e711-8122-000d3aa20331',
          'dataverse:created:7e0c5d3a-0f9f-e711-8122-000d3aa20332',
          'dataverse:deleted:7e0c5d3a-0f9f-e711-8122-000d3aa20331',
        ]);
        const forgedAttio = await post(url + ROUTE, attioDelivery({ secret: 'guess', events: [attioListEntrySample()] }));
        const forgedDataverse = await post(url + ROUTE, dataverseDelivery({ key: 'guess', context: dataverseAssociateSample() }));
        expect([forgedAttio.status, forgedDataverse.status]).toEqual([401, 401]);
        expect(dispatched).toEqual(['attio.list-entry.deleted', 'dataverse.Associate', 'dataverse.Disassociate']);
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

    for (const mount of ['route', 'use'] as const) {
      test(`mounted by ${mount === 'route' ? 'path' : 'the path option'}: other methods get 405 with Allow, other media types 415, all as JSON errors`, () =>
        withServer(
          async ({ url }) => {
            const get = await fetch(url + ROUTE);
            expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
            expect(((await get.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
            const delivery = relationCreated();
            const text = await post(url + ROUTE, { ...delivery, headers: { ...delivery.headers, 'content-type': 'text/plain' } });
            expect([text.status, text.body.error?.code]).toEqual([415, 'unsupported_media_type']);
          },
          mount === 'use' ? { path: ROUTE } : {},
          mount,
        ));
    }

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

    test("the receiver's logger hears each rejected (warn) and failed (error) delivery once, as fields", async () => {
      const lines: string[] = [];
      const fields: LogFields[] = [];
      const logger: Logger = {
        warn: (logged, message) => void (fields.push(logged), lines.push(`warn ${logged.status} ${logged.code} ${message}`)),
        error: (logged, message) => void (fields.push(logged), lines.push(`error ${logged.code} ${message}`)),
      };
      await withServer(
        async ({ url }, { webhooks }) => {
          webhooks.on('superoffice.relation.created', () => {
            throw new Error('boom');
          });
          await post(url + ROUTE, superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.created') }));
          await post(url + ROUTE, relationCreated());
          await fetch(url + ROUTE);
        },
        { path: ROUTE },
        'use',
        logger,
      );
      expect(lines).toEqual([
        expect.stringMatching(/^warn 401 signature_invalid X-SuperOffice-Signature does not match/),
        expect.stringMatching(/^error handler_failed A handler failed for superoffice.relation.created .*boom/),
        expect.stringMatching(/^warn 405 method_not_allowed GET is not allowed/),
      ]);
      expect(fields[1]).toMatchObject({ provider: 'superoffice', event: 'superoffice.relation.created', deliveryId: 'so-evt-1' });
      expect(fields[1]?.err).toBeInstanceOf(Error);
      expect(JSON.stringify(fields)).not.toContain(secret);
    });

    test('a failed delivery asks each CRM for a retry its own way: HighLevel 429, SuperOffice 500, HubSpot 503', () =>
      withServer(async ({ url }, { webhooks }) => {
        let failing = true;
        webhooks.on(['association.created'], () => {
          if (failing) throw new Error('database unavailable');
        });
        const highLevel = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey });
        const hubSpot = hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events: [hubSpotAssociationSample()] });
        const answers = [await post(url + ROUTE, highLevel), await post(url + ROUTE, relationCreated()), await post(url + ROUTE, hubSpot)];
        expect(answers.map((answer) => [answer.status, answer.headers.get('retry-after'), answer.body.error?.code])).toEqual([
          [429, '5', 'handler_failed'],
          [500, '5', 'handler_failed'],
          [503, '5', 'handler_failed'],
        ]);
        failing = false;
        const retries = [await post(url + ROUTE, highLevel), await post(url + ROUTE, relationCreated()), await post(url + ROUTE, hubSpot)];
        expect(retries.map((answer) => answer.status)).toEqual([200, 200, 200]);
        // Final outcomes stay 4xx whatever the provider: a forged HighLevel delivery is 401, not 429.
        const forged = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: generateHighLevelKeyPair().privateKey });
        expect((await post(url + ROUTE, forged)).status).toBe(401);
      }));

    test('a handler rejecting with values String() cannot convert: answered 500 each time, released, the server survives', () =>
      withServer(async ({ url }, { webhooks }) => {
        let hostile = true;
        webhooks.on('superoffice.relation.created', async () => {
          if (!hostile) return;
          throw Math.random() < 0.5 ? Object.create(null) : { toString: () => { throw new Error('no'); } };
        });
        for (let index = 0; index < 50; index += 1) expect((await post(url + ROUTE, relationCreated())).status).toBe(500);
        hostile = false;
        expect((await post(url + ROUTE, relationCreated())).status).toBe(200);
      }));

    test('refused before reading (413 declared, 415, 405): the answer closes the connection and the body is not read on', () =>
      withServer(
        async ({ url }) => {
          const hugeDeclared = { 'content-type': 'application/json', 'content-length': String(8 * 1024 ** 3) };
          const cases = {
            413: hugeDeclared,
            415: { 'content-type': 'text/plain', 'content-length': String(8 * 1024 ** 3) },
          };
          for (const [status, headers] of Object.entries(cases)) {
            const poured = await pourAfterRefusal(url + ROUTE, 'POST', headers);
            expect(poured.status, status).toBe(Number(status));
            expect(poured.closedByServer, status).toBe(true);
            // Before the fix the server kept reading: the client poured the whole 64 MiB cap.
            expect(poured.bytesWritten, status).toBeLessThan(16 * 1024 ** 2);
          }
          const get = await pourAfterRefusal(url + ROUTE, 'PUT', hugeDeclared);
          expect([get.status, get.closedByServer]).toEqual([405, true]);
        },
        { path: ROUTE },
        'use',
      ));
  });
}
