import { createServer } from 'node:http';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  ConfigurationError,
  createWebHandler,
  createWebhooks,
  highlevel,
  hubspot,
  superoffice,
  type EventQueue,
  type LogFields,
  type QueuedEvent,
  type SecretLookup,
} from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
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
import { listen, post } from '../../../test/support/http.js';

const keys = generateHighLevelKeyPair();
const SECRETS: Record<string, string> = { Cust1: 'secret-of-cust1', Cust2: 'secret-of-cust2' };

/** A relation.created of `tenant` signed with `signer`'s secret. */
const created = (tenant: string | undefined, signer = tenant ?? 'Cust1', eventId = `${tenant}-${Math.random()}`) =>
  superOfficeDelivery({
    secret: SECRETS[signer] ?? `forged-${signer}`,
    payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant },
  });

/** A lookup over SECRETS that counts its calls; `down` makes it fail as a database would. */
function countingLookup(options: { secrets?: Record<string, string | string[]>; async?: boolean } = {}) {
  const state = { calls: [] as string[], down: false };
  const lookup: SecretLookup = (tenant) => {
    state.calls.push(tenant);
    if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const found = (options.secrets ?? SECRETS)[tenant];
    return options.async ? new Promise((resolve) => setTimeout(() => resolve(found), 5)) : found;
  };
  return { lookup, state };
}

function recordingLogger() {
  const lines: { level: 'warn' | 'error'; fields: LogFields; message: string }[] = [];
  return {
    lines,
    logger: {
      warn: (fields: LogFields, message: string) => void lines.push({ level: 'warn', fields, message }),
      error: (fields: LogFields, message: string) => void lines.push({ level: 'error', fields, message }),
    },
  };
}

afterEach(() => vi.restoreAllMocks());

describe('a tenant on every event, from the signed bytes', () => {
  test('SuperOffice ContextIdentifier, HighLevel locationId (else companyId), HubSpot portalId: on the context, the association event and the queued job', async () => {
    const jobs: QueuedEvent[] = [];
    const queue: EventQueue = { enqueue: async (event) => void jobs.push(structuredClone(event)) };
    const receiver = () =>
      createWebhooks({ providers: [superoffice({ secret: 's' }), highlevel({ publicKeys: keys.publicKey }), hubspot({ clientSecret: 'h' })], logger: false });
    const webhooks = receiver();
    const seen: string[] = [];
    webhooks.on(['association.created', 'association.deleted'], (link, context) => void seen.push(`${link.provider} ${link.tenant} ${context.tenant}`));
    webhooks.on(['highlevel.INSTALL', 'highlevel.UNINSTALL'], (event, context) => void seen.push(`${event.type} ${event.appId} ${context.tenant}`));

    const so = superOfficeDelivery({ secret: 's', payload: { ...superOfficeSample('relation.created'), ContextIdentifier: 'Cust7' } });
    const hl = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey });
    const agencyInstall = highLevelDelivery({
      type: 'INSTALL',
      payload: { type: 'INSTALL', appId: 'app-1', installType: 'Company', companyId: 'agency-9', userId: 'u1' },
      privateKey: keys.privateKey,
    });
    const locationUninstall = highLevelDelivery({
      type: 'UNINSTALL',
      payload: { type: 'UNINSTALL', appId: 'app-1', locationId: 'loc-3', companyId: 'agency-9' },
      privateKey: keys.privateKey,
    });
    const url = 'http://127.0.0.1/webhooks/crm';
    const hs = hubSpotDelivery({ secret: 'h', url, events: [hubSpotAssociationSample({ portalId: 4242 })] });
    for (const delivery of [so, hl, agencyInstall, locationUninstall]) expect((await webhooks.receive(delivery)).status).toBe(200);
    expect((await webhooks.receive({ ...hs, url })).status).toBe(200);
    expect(seen).toEqual([
      'superoffice Cust7 Cust7',
      `highlevel ${highLevelSample('RelationCreate').locationId} ${highLevelSample('RelationCreate').locationId}`,
      'INSTALL app-1 agency-9',
      'UNINSTALL app-1 loc-3',
      'hubspot 4242 4242',
    ]);

    const queued = createWebhooks({ providers: [superoffice({ secret: 's' })], queue, logger: false });
    expect((await queued.receive(so)).status).toBe(200);
    expect(jobs[0]).toMatchObject({ tenant: 'Cust7', association: { tenant: 'Cust7' } });
    const worker = receiver();
    const inWorker: (string | undefined)[] = [];
    worker.on('association.created', (link, context) => void inWorker.push(context.tenant, link.tenant));
    await worker.handle(jobs[0]!);
    expect(inWorker).toEqual(['Cust7', 'Cust7']);
  });

  test('a failure is logged with its tenant; a tenant longer than any store keeps is parked, answered 200', async () => {
    const { logger, lines } = recordingLogger();
    const webhooks = createWebhooks({ providers: [superoffice({ secret: SECRETS.Cust1! })], logger });
    webhooks.on('association.created', () => {
      throw new Error('database down');
    });
    await webhooks.receive(created('Cust1'));
    expect(lines.map(({ level, fields }) => [level, fields.code, fields.tenant])).toEqual([['error', 'handler_failed', 'Cust1']]);
    const long = await webhooks.receive(created('C'.repeat(501), 'Cust1'));
    expect([long.status, long.error?.code]).toEqual([200, 'event_parked']);
  });
});

describe('a secret per tenant: superoffice({ secret: (tenant) => ... })', () => {
  test("each tenant verifies with its own secret: another tenant's secret, an unknown tenant, no tenant and no signature are 401, and nothing runs", async () => {
    const { lookup, state } = countingLookup({ async: true });
    const { logger, lines } = recordingLogger();
    const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup })], logger });
    const handled: (string | undefined)[] = [];
    webhooks.on('association.created', (link) => void handled.push(link.tenant));

    expect((await webhooks.receive(created('Cust1'))).status).toBe(200);
    expect((await webhooks.receive(created('Cust2'))).status).toBe(200);
    const crossSigned = await webhooks.receive(created('Cust2', 'Cust1'));
    expect([crossSigned.status, crossSigned.error?.code]).toEqual([401, 'signature_invalid']);
    expect(crossSigned.error?.message).toContain('the secret of tenant "Cust2"');
    const unknown = await webhooks.receive(created('Cust404', 'Cust1'));
    expect([unknown.status, unknown.error?.code]).toEqual([401, 'tenant_unknown']);
    expect(unknown.body).toMatchObject({ error: { message: expect.stringContaining('tenant "Cust404"') } });
    const nameless = await webhooks.receive(created(undefined, 'Cust1'));
    expect([nameless.status, nameless.error?.code]).toEqual([401, 'tenant_unknown']);
    const unsigned = created('Cust3', 'Cust1');
    const { 'x-superoffice-signature': _dropped, ...headers } = unsigned.headers;
    expect((await webhooks.receive({ headers, body: unsigned.body })).error?.code).toBe('signature_missing');

    expect(handled).toEqual(['Cust1', 'Cust2']);
    expect(state.calls).toEqual(['Cust1', 'Cust2', 'Cust404']); // cached, and never asked for an unsigned delivery or a nameless one
    expect(lines.map(({ fields }) => [fields.code, fields.tenant])).toEqual([
      ['signature_invalid', 'Cust2'],
      ['tenant_unknown', 'Cust404'],
      ['tenant_unknown', undefined],
      ['signature_missing', undefined],
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-of');
  });

  test('the lookup failing (its database down) answers 503 so SuperOffice retries, logged with the fix; the retry is handled once it is back (over HTTP)', async () => {
    const { lookup, state } = countingLookup();
    const { logger, lines } = recordingLogger();
    const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup })], logger });
    let runs = 0;
    webhooks.on('association.created', () => void (runs += 1));
    const server = await listen(createServer(createNodeHandler(webhooks)));
    try {
      const delivery = created('Cust1', 'Cust1', 'outage-1');
      state.down = true;
      const during = await post(server.url, delivery);
      expect([during.status, during.headers.get('retry-after'), during.body.error?.code]).toEqual([503, '5', 'secret_lookup_unavailable']);
      expect(lines).toEqual([
        expect.objectContaining({ level: 'error', fields: expect.objectContaining({ code: 'secret_lookup_unavailable', tenant: 'Cust1' }), message: expect.stringContaining('ECONNREFUSED') }),
      ]);
      state.down = false;
      const retry = await post(server.url, delivery);
      expect([retry.status, runs]).toEqual([200, 1]);
    } finally {
      await server.close();
    }
  });

  test("a lookup answering a query's rows: no rows is an unknown tenant (401), an empty secret a broken row (503 naming it)", async () => {
    const rows: Record<string, string[]> = { Cust1: [SECRETS.Cust1!], Broken: [''] };
    const webhooks = createWebhooks({ providers: [superoffice({ secret: async (tenant) => rows[tenant] ?? [] })], logger: false });
    expect((await webhooks.receive(created('Cust1'))).status).toBe(200);
    const unknown = await webhooks.receive(created('Cust9', 'Cust1'));
    expect([unknown.status, unknown.error?.code]).toEqual([401, 'tenant_unknown']);
    const broken = await webhooks.receive(created('Broken', 'Cust1'));
    expect([broken.status, broken.error?.code]).toEqual([503, 'secret_lookup_unavailable']);
    expect(broken.error?.message).toContain('failed for tenant "Broken" (it returned an empty secret: return the secret set on that tenant\'s webhook');
  });

  test('lookups are cached: concurrent deliveries of one tenant share one lookup, and an unknown tenant is not asked again', async () => {
    const { lookup, state } = countingLookup({ async: true });
    const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup })], logger: false });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => webhooks.receive(created('Cust1', 'Cust1', `burst-${index}`))));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    for (let round = 0; round < 5; round += 1) await webhooks.receive(created('Ghost', 'Cust1'));
    expect(state.calls).toEqual(['Cust1', 'Ghost']);
  });

  test('10,000 forged tenants over HTTP: the cache stays within its bound (the first ones are evicted and asked again), and each is asked once', async () => {
    const { lookup, state } = countingLookup();
    const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup, secretCache: { max: 1_000 } })], logger: false });
    const server = await listen(createServer(createNodeHandler(webhooks)));
    try {
      for (let batch = 0; batch < 10_000; batch += 50) {
        const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => post(server.url, created(`forged-${batch + index}`, `forged-${batch + index}`))));
        if (answers.some((answer) => answer.body.error?.code !== 'tenant_unknown')) throw new Error(`batch ${batch}: ${answers.map((answer) => answer.status)}`);
      }
      expect(state.calls).toHaveLength(10_000);
      // The newest thousand are cached; the oldest were evicted, so a delivery naming one looks it up again.
      await post(server.url, created('forged-9999', 'forged-9999'));
      expect(state.calls).toHaveLength(10_000);
      await post(server.url, created('forged-0', 'forged-0'));
      expect(state.calls).toHaveLength(10_001);
    } finally {
      await server.close();
    }
  });

  test('a rotated secret is picked up without waiting out the cache: both while rotating, then only the new one', async () => {
    const secrets: Record<string, string | string[]> = { Cust1: 'old-secret' };
    const { lookup, state } = countingLookup({ secrets });
    const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup })], logger: false });
    const signed = (secret: string, eventId: string) =>
      superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: 'Cust1' } });
    expect((await webhooks.receive(signed('old-secret', 'r-1'))).status).toBe(200);
    secrets.Cust1 = ['old-secret', 'new-secret'];
    // Within a second of the lookup the cached answer stands: a flood of forgeries cannot make it ask again and again.
    expect((await webhooks.receive(signed('new-secret', 'r-2'))).status).toBe(401);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 1_500);
    expect((await webhooks.receive(signed('new-secret', 'r-2'))).status).toBe(200);
    expect((await webhooks.receive(signed('old-secret', 'r-3'))).status).toBe(200);
    expect(state.calls).toEqual(['Cust1', 'Cust1']);
  });

  test('a path tenant verifies with that tenant\'s secret, and the body must name the same tenant', async () => {
    const { lookup } = countingLookup();
    const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup })], logger: false });
    const own = await webhooks.receive({ ...created('Cust1'), tenant: 'Cust1' });
    const signedByOneForOther = await webhooks.receive({ ...created('Cust2', 'Cust1'), tenant: 'Cust1' });
    const atOther = await webhooks.receive({ ...created('Cust1'), tenant: 'Cust2' });
    expect([own.status, signedByOneForOther.error?.code, atOther.error?.code]).toEqual([200, 'tenant_mismatch', 'signature_invalid']);
    expect(signedByOneForOther.error?.message).toContain('address of tenant "Cust1", but its signed body names tenant "Cust2"');
  });

  test('options are checked: a bad cache bound, and a path naming a parameter other than :tenant', () => {
    expect(() => superoffice({ secret: () => undefined, secretCache: { max: 0 } })).toThrow(ConfigurationError);
    const webhooks = createWebhooks({ providers: [superoffice({ secret: 's' })], logger: false });
    expect(() => createWebHandler(webhooks, { path: '/webhooks/:customer' })).toThrow(/one parameter, :tenant/);
  });
});

describe('the path names the tenant: createWebHandler and createNodeHandler', () => {
  const { lookup } = countingLookup();
  const webhooks = createWebhooks({ providers: [superoffice({ secret: lookup })], logger: false });
  const tenants: (string | undefined)[] = [];
  webhooks.on('association.created', (_link, context) => void tenants.push(context.tenant));

  test('Web handler: its own tenant 200, another tenant 401, a percent-encoded tenant decoded, other paths 404', async () => {
    const handler = createWebHandler(webhooks, { path: '/api/superoffice/:tenant' });
    const at = (tenant: string) => `http://127.0.0.1/api/superoffice/${tenant}`;
    expect((await handler(toRequest(created('Cust1'), at('Cust1')))).status).toBe(200);
    const mismatch = await handler(toRequest(created('Cust2', 'Cust1'), at('Cust1')));
    expect([mismatch.status, ((await mismatch.json()) as { error: { code: string } }).error.code]).toEqual([401, 'tenant_mismatch']);
    expect((await handler(toRequest(created('Cust1'), at('Cust1/extra')))).status).toBe(404);
    expect((await handler(toRequest(created('Cust1'), 'http://127.0.0.1/elsewhere'))).status).toBe(404);
    SECRETS['Cust 9'] = 'secret-of-cust9';
    expect((await handler(toRequest(created('Cust 9'), at('Cust%209')))).status).toBe(200);
    expect(tenants.slice(-2)).toEqual(['Cust1', 'Cust 9']);
  });

  test('node:http handler: the same over real HTTP', async () => {
    const server = await listen(createServer(createNodeHandler(webhooks, { path: '/webhooks/superoffice/:tenant' })));
    try {
      const at = (tenant: string) => `${server.url}/webhooks/superoffice/${tenant}`;
      expect((await post(at('Cust2'), created('Cust2'))).status).toBe(200);
      expect((await post(at('Cust2'), created('Cust1'))).body.error?.code).toBe('signature_invalid');
      expect((await post(at('Cust1'), created('Cust2', 'Cust1'))).body.error?.code).toBe('tenant_mismatch');
      expect((await post(`${server.url}/webhooks/superoffice`, created('Cust2'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
