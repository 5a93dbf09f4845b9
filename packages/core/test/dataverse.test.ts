import { describe, expect, expectTypeOf, test } from 'vitest';
import { createWebhooks, dataverse, type AssociationEvent, type DataverseAssociateContext, type DataverseOptions } from '@crmhooks/core';
import { dataverseAssociateSample, dataverseDelivery } from '@crmhooks/core/testing';

const key = 'registered-key-4b1f0c1e';

function receiver(options: Partial<DataverseOptions> = {}) {
  const webhooks = createWebhooks({ providers: [dataverse({ key, ...options })], logger: false });
  const seen: string[] = [];
  webhooks.onAny((event) => void seen.push(event.name));
  const links: AssociationEvent[] = [];
  webhooks.on(['association.created', 'association.deleted'], (link) => void links.push(link));
  return { webhooks, seen, links };
}

describe('Dataverse deliveries', () => {
  test('an Associate of two rows: the native event once, typed; one association event per related row, the relationship as its definition', async () => {
    const { webhooks, seen, links } = receiver();
    const contexts: DataverseAssociateContext<'Associate'>[] = [];
    webhooks.on('dataverse.Associate', (context) => {
      expectTypeOf(context.MessageName).toEqualTypeOf<'Associate'>();
      contexts.push(context);
    });
    const outcome = await webhooks.receive(dataverseDelivery({ key, context: dataverseAssociateSample('Associate', { related: 2 }) }));
    expect(outcome.status).toBe(200);
    expect([seen, contexts.length]).toEqual([['dataverse.Associate'], 1]);
    expect(links.map((link) => [link.action, link.tenant, link.definitionId, link.from, link.to, link.occurredAt])).toEqual(
      ['7e0c5d3a-0f9f-e711-8122-000d3aa20331', '7e0c5d3a-0f9f-e711-8122-000d3aa20332'].map((contact) => [
        'created',
        '4ef5b371-e89e-e711-8122-000d3aa2331c',
        'contact_customer_accounts',
        { objectType: 'account', recordId: '6d81597f-0f9f-e711-8122-000d3aa2331c' },
        { objectType: 'contact', recordId: contact },
        '2025-12-05T10:20:00.000Z',
      ]),
    );
    links.length = 0;
    await webhooks.receive(dataverseDelivery({ key, context: dataverseAssociateSample('Disassociate', { related: 1 }) }));
    expect(links.map((link) => link.action)).toEqual(['deleted']);
  });

  test('the key: wrong or missing is 401 and runs nothing; in the code query parameter it is refused unless accepted; rotation takes both', async () => {
    const { webhooks, seen } = receiver();
    const sample = dataverseAssociateSample();
    expect((await webhooks.receive(dataverseDelivery({ key: 'guessed', context: sample }))).error?.code).toBe('signature_invalid');
    const { 'x-crmhooks-key': _key, ...keyless } = dataverseDelivery({ key, context: sample }).headers;
    const missing = await webhooks.receive({ ...dataverseDelivery({ key, context: sample }), headers: keyless });
    expect([missing.status, missing.error?.message]).toEqual([401, expect.stringContaining('HttpHeader authentication')]);
    const inQuery = dataverseDelivery({ key, context: sample, queryUrl: 'https://hooks.example.com/webhooks/crm' });
    const refused = await webhooks.receive({ ...inQuery, method: 'POST' });
    expect([refused.status, refused.error?.message]).toEqual([401, expect.stringContaining('acceptQueryKey')]);
    expect(seen).toEqual([]);
    const accepting = receiver({ acceptQueryKey: true });
    expect((await accepting.webhooks.receive({ ...inQuery, method: 'POST' })).status).toBe(200);
    const rotating = receiver({ key: ['the-new-key', key] });
    expect((await rotating.webhooks.receive(dataverseDelivery({ key: 'the-new-key', context: sample }))).status).toBe(200);
    const ownHeader = receiver({ keyHeader: 'X-Webhook-Key' });
    expect((await ownHeader.webhooks.receive(dataverseDelivery({ key, keyHeader: 'x-webhook-key', context: sample }))).status).toBe(200);
  });

  test('a key per organization: each checks its own; another organization\'s key is 401', async () => {
    const keys: Record<string, string> = { 'org-1': 'key-of-org-1', 'org-2': 'key-of-org-2' };
    const webhooks = createWebhooks({ providers: [dataverse({ key: (organization) => keys[organization] })], logger: false });
    const context = (organizationId: string) => dataverseAssociateSample('Associate', { organizationId });
    expect((await webhooks.receive(dataverseDelivery({ key: 'key-of-org-1', context: context('org-1') }))).status).toBe(200);
    expect((await webhooks.receive(dataverseDelivery({ key: 'key-of-org-2', context: context('org-1') }))).status).toBe(401);
  });

  test('a request over 256 KB (flagged, without its input parameters) is dispatched as such, flagged, without association events', async () => {
    const { webhooks, seen, links } = receiver();
    const flagged: unknown[] = [];
    webhooks.on('dataverse.Associate', (context) => void flagged.push([context.MessageSizeExceeded, context.InputParameters]));
    const outcome = await webhooks.receive(dataverseDelivery({ key, context: dataverseAssociateSample(), sizeExceeded: true }));
    expect([outcome.status, seen, flagged, links]).toEqual([200, ['dataverse.Associate'], [[true, undefined]], []]);
  });

  test('a failing handler is answered 503, the one status Dataverse tries again on; a copy after success is a duplicate', async () => {
    const { webhooks } = receiver();
    let fail = true;
    webhooks.on('association.created', () => {
      if (fail) throw new Error('the CRM mirror is down');
    });
    const delivery = dataverseDelivery({ key, context: dataverseAssociateSample() });
    const first = await webhooks.receive(delivery);
    expect([first.status, first.headers['retry-after']]).toEqual([503, expect.any(String)]);
    fail = false;
    expect((await webhooks.receive(delivery)).status).toBe(200);
    expect((await webhooks.receive(delivery)).body).toEqual({ ok: true, duplicate: true });
  });

  test('an Associate without its rows, or a body without MessageName, is 400 saying what is missing', async () => {
    const { webhooks, seen } = receiver();
    const noRows = await webhooks.receive(dataverseDelivery({ key, context: { ...dataverseAssociateSample(), InputParameters: [] } }));
    expect([noRows.status, noRows.error?.message]).toEqual([400, expect.stringContaining('RelatedEntities')]);
    const unnamed = await webhooks.receive(dataverseDelivery({ key, context: { OrganizationId: 'org' } }));
    expect([unnamed.status, unnamed.error?.message]).toEqual([400, expect.stringContaining('MessageName')]);
    expect(seen).toEqual([]);
  });

  test('options are checked: no key, a header name that is not one', () => {
    expect(() => dataverse({ key: '' })).toThrow(/dataverse\(\{ key \}\)/);
    expect(() => dataverse(undefined as never)).toThrow(/dataverse\(\{ key \}\) is required/);
    expect(() => dataverse({ key, keyHeader: 'not a header' })).toThrow(/keyHeader/);
    // @ts-expect-error: message names are checked
    createWebhooks({ providers: [dataverse({ key })], logger: false }).on('dataverse.Asociate', () => undefined);
  });
});
