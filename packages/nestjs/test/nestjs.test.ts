import { Injectable, Module } from '@nestjs/common';
import nestCore from '@nestjs/core/package.json' with { type: 'json' };
import { describe, expect, test } from 'vitest';
import { superoffice } from '@crmhooks/core';
import {
  attioDelivery,
  attioListEntrySample,
  dataverseAssociateSample,
  dataverseDelivery,
  generateHighLevelKeyPair,
  HIGHLEVEL_SAMPLE_EVENTS,
  highLevelDelivery,
  hubSpotAssociationSample,
  hubSpotDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
} from '@crmhooks/core/testing';
import { CrmHooksModule } from '@crmhooks/nestjs';
import { TENANT_SECRETS, tenantDelivery } from '../../../test/support/adapter-suite.js';
import { post } from '../../../test/support/http.js';
import { attioSecret, dataverseKey, hubSpotSecret, keys, LinkHandlers, ManualSubscriber, receiverOptions, RequestScopedHandler, secret, startApp, type Platform, type RunningApp } from './app.fixture.js';

const major = process.env.NEST_MAJOR!;
const ROUTE = '/webhooks/crm';

test(`the tests run against NestJS ${major}`, () => {
  expect(nestCore.version.split('.')[0]).toBe(major);
});

async function withApp(platform: Platform, run: (app: RunningApp) => Promise<void>, start = () => startApp(platform)) {
  const app = await start();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

const hl = (type: (typeof HIGHLEVEL_SAMPLE_EVENTS)[number], webhookId?: string) =>
  highLevelDelivery({ type, payload: highLevelSample(type), privateKey: keys.privateKey, ...(webhookId && { webhookId }) });

for (const platform of ['express', 'fastify'] as const) {
  describe(`NestJS ${major} on ${platform}`, () => {
    test('every typed SuperOffice event reaches the decorated methods', () =>
      withApp(platform, async ({ url, recorder }) => {
        for (const event of ['relation.created', 'relation.changed', 'relation.deleted', 'test'] as const) {
          const answer = await post(url + ROUTE, superOfficeDelivery({ secret, payload: superOfficeSample(event) }));
          expect(answer.status, event).toBe(200);
        }
        expect(recorder.seen()).toEqual([
          'superOfficeCreated <- superoffice.relation.created',
          'anyCreated <- association.created',
          'superOfficeOther <- superoffice.relation.changed',
          'changedOrUnlinked <- association.updated',
          'superOfficeOther <- superoffice.relation.deleted',
          'superOfficeUnlinked <- association.deleted',
          'superOfficeOther <- superoffice.test',
        ]);
        expect(recorder.calls[0]?.payload).toBe(2); // FieldValues.destination_record, typed
        expect(recorder.calls.find((call) => call.method === 'superOfficeUnlinked')?.payload).toBe('178105');
      }));

    test('every typed HighLevel event reaches the decorated methods, in providers and controllers', () =>
      withApp(platform, async ({ url, recorder, flaky }) => {
        flaky.failuresLeft = 0;
        for (const type of HIGHLEVEL_SAMPLE_EVENTS) {
          expect((await post(url + ROUTE, hl(type))).status, type).toBe(200);
        }
        expect(recorder.seen()).toEqual([
          'highLevel <- highlevel.AssociationCreate',
          'flaky <- highlevel.AssociationCreate',
          'anyCreated <- association.created',
          'definitionCreated <- association.created',
          'highLevel <- highlevel.AssociationUpdate',
          'changedOrUnlinked <- association.updated',
          'highLevel <- highlevel.AssociationDelete',
          'highLevel <- highlevel.RelationCreate',
          'anyCreated <- association.created',
          'controller <- highlevel.RelationDelete',
          'changedOrUnlinked <- association.deleted',
        ]);
      }));

    test('a HubSpot batch reaches the decorated methods, signed for the URL the app serves', () =>
      withApp(platform, async ({ url, recorder }) => {
        const events = [hubSpotAssociationSample(), hubSpotAssociationSample({ eventId: 2, associationRemoved: true, toObjectId: 7702 })];
        const answer = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events }));
        expect(answer.status).toBe(200);
        expect(recorder.seen()).toEqual([
          'hubSpot <- hubspot.contact.associationChange',
          'anyCreated <- association.created',
          'hubSpot <- hubspot.contact.associationChange',
        ]);
        const wrongUrl = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: `${url}/elsewhere`, events }));
        expect(wrongUrl.status).toBe(401);
        const stale = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events, timestamp: Date.now() - 600_000 }));
        expect(stale.body.error?.code).toBe('timestamp_outside_window');
        const again = await post(url + ROUTE, hubSpotDelivery({ secret: hubSpotSecret, url: url + ROUTE, events }));
        expect(again.body).toEqual({ ok: true, duplicate: true });
      }));

    test('Attio and Dataverse reach the decorated methods: an Attio list entry, and one association event per related Dataverse row', () =>
      withApp(platform, async ({ url, recorder }) => {
        expect((await post(url + ROUTE, attioDelivery({ secret: attioSecret, events: [attioListEntrySample('list-entry.created')] }))).status).toBe(200);
        expect((await post(url + ROUTE, dataverseDelivery({ key: dataverseKey, context: dataverseAssociateSample('Associate', { related: 2 }) }))).status).toBe(200);
        expect((await post(url + ROUTE, dataverseDelivery({ key: 'guessed', context: dataverseAssociateSample() }))).status).toBe(401);
        expect(recorder.seen()).toEqual(['anyCreated <- association.created', 'anyCreated <- association.created', 'anyCreated <- association.created']);
      }));

    test('a wrong signature answers 401 and calls nothing', () =>
      withApp(platform, async ({ url, recorder }) => {
        const forged = superOfficeDelivery({ secret: 'guess', payload: superOfficeSample('relation.created') });
        const wrongKey = highLevelDelivery({
          type: 'RelationCreate',
          payload: highLevelSample('RelationCreate'),
          privateKey: generateHighLevelKeyPair().privateKey,
        });
        expect((await post(url + ROUTE, forged)).status).toBe(401);
        expect((await post(url + ROUTE, wrongKey)).status).toBe(401);
        expect(recorder.calls).toEqual([]);
      }));

    test('a throwing handler asks HighLevel for a retry (429), is logged once through Nest, and its retry is handled', () =>
      withApp(platform, async ({ url, recorder, logger }) => {
        const delivery = hl('AssociationCreate', 'wh-retry-1');
        const first = await post(url + ROUTE, delivery);
        expect([first.status, first.headers.get('retry-after')]).toEqual([429, '5']);
        const failures = logger.lines.filter((line) => line.startsWith('error'));
        expect(failures).toEqual([
          expect.stringMatching(/^error A handler failed for highlevel.AssociationCreate \(delivery wh-retry-1\): database unavailable.* Error: database unavailable$/),
        ]);
        expect(logger.fields).toContainEqual({
          code: 'handler_failed',
          provider: 'highlevel',
          event: 'highlevel.AssociationCreate',
          deliveryId: 'wh-retry-1',
          tenant: highLevelSample('AssociationCreate').locationId,
        });
        const retry = await post(url + ROUTE, delivery);
        expect(retry.status).toBe(200);
        expect(recorder.seen()).toContain('flaky <- highlevel.AssociationCreate');
        const again = await post(url + ROUTE, delivery);
        expect(again.body).toEqual({ ok: true, duplicate: true });
      }));

    test('without rawBody: true deliveries are verified all the same: the route reads the raw body before Nest parses it', () =>
      withApp(
        platform,
        async ({ url, recorder }) => {
          const answer = await post(url + ROUTE, superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') }));
          expect(answer.status).toBe(200);
          expect(recorder.seen()[0]).toBe('superOfficeCreated <- superoffice.relation.created');
        },
        () => startApp(platform, undefined, { rawBody: false }),
      ));

    test("maxBodyBytes is the route's limit, whatever Nest's parsers allow (Express 100 kB, Fastify 1 MiB); GET is 405", () =>
      withApp(
        platform,
        async ({ url }) => {
          const payload = (padding: number) => ({ ...superOfficeSample('relation.created'), EventId: `big-${padding}`, Pad: 'x'.repeat(padding) });
          const big = await post(url + ROUTE, superOfficeDelivery({ secret, payload: payload(1_500_000) }));
          expect(big.status).toBe(200);
          const tooBig = await post(url + ROUTE, superOfficeDelivery({ secret, payload: payload(2_200_000) }));
          expect([tooBig.status, tooBig.body.error?.code]).toEqual([413, 'payload_too_large']);
          const get = await fetch(url + ROUTE);
          expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
        },
        () => startApp(platform, CrmHooksModule.forRoot({ ...receiverOptions(), maxBodyBytes: 2 * 1024 * 1024 })),
      ));

    test('forRootAsync takes its options from an injected config, path included', () => {
      @Injectable()
      class CrmConfig {
        readonly secret = 'secret-from-config';
        readonly path = '/hooks/from-config';
      }
      @Module({ providers: [CrmConfig], exports: [CrmConfig] })
      class ConfigModule {}
      const crmHooks = CrmHooksModule.forRootAsync({
        imports: [ConfigModule],
        inject: [CrmConfig],
        useFactory: (config: CrmConfig) => ({ providers: [superoffice({ secret: config.secret })], path: config.path }),
      });
      return withApp(
        platform,
        async ({ url, recorder }) => {
          const delivery = superOfficeDelivery({ secret: 'secret-from-config', payload: superOfficeSample('relation.created') });
          expect((await post(`${url}/hooks/from-config`, delivery)).status).toBe(200);
          expect(recorder.seen()[0]).toBe('superOfficeCreated <- superoffice.relation.created');
        },
        () => startApp(platform, crmHooks),
      );
    });

    test("a path with :tenant binds each delivery to that tenant's secret: another tenant's body is 401, its own reaches the decorated methods", () =>
      withApp(
        platform,
        async ({ url, recorder }) => {
          const at = (tenant: string) => `${url}/webhooks/superoffice/${tenant}`;
          const crossSigned = await post(at('Cust1'), tenantDelivery('Cust2', 'Cust1'));
          const atOther = await post(at('Cust2'), tenantDelivery('Cust2', 'Cust1'));
          expect([crossSigned.body.error?.code, atOther.body.error?.code]).toEqual(['tenant_mismatch', 'signature_invalid']);
          expect(recorder.calls).toEqual([]);
          expect((await post(at('Cust2'), tenantDelivery('Cust2'))).status).toBe(200);
          expect(recorder.seen()).toEqual(['superOfficeCreated <- superoffice.relation.created', 'anyCreated <- association.created']);
        },
        () =>
          startApp(
            platform,
            CrmHooksModule.forRoot({ providers: [superoffice({ secret: (tenant) => TENANT_SECRETS[tenant] })], path: '/webhooks/superoffice/:tenant' }),
          ),
      ));

    test('the receiver can be injected and subscribed to by hand', () =>
      withApp(
        platform,
        async ({ url, recorder }) => {
          expect((await post(url + ROUTE, hl('RelationDelete', 'wh-manual'))).status).toBe(200);
          expect(recorder.seen()).toContain('manual <- highlevel.RelationDelete');
        },
        () => startApp(platform, undefined, { providers: [ManualSubscriber] }),
      ));

    test('a provider also registered under an alias (useExisting) handles each delivery once', () =>
      withApp(
        platform,
        async ({ url, recorder }) => {
          expect((await post(url + ROUTE, hl('RelationDelete', 'wh-alias'))).status).toBe(200);
          const calls = recorder.seen();
          expect(calls.length).toBeGreaterThan(0);
          expect(new Set(calls).size).toBe(calls.length);
        },
        () => startApp(platform, undefined, { providers: [{ provide: 'LINK_HANDLERS_ALIAS', useExisting: LinkHandlers }] }),
      ));

    test('a request-scoped handler is rejected at startup with a clear message', async () => {
      await expect(startApp(platform, undefined, { providers: [RequestScopedHandler] })).rejects.toThrow(
        /RequestScopedHandler\.deleted\(\) handles CRM events, but its class is request-scoped/,
      );
    });
  });
}
