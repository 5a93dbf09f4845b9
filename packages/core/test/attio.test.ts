import { createHmac } from 'node:crypto';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { attio, createWebhooks, type AssociationEvent, type AttioListEntryEvent, type AttioOptions } from '@crmhooks/core';
import { attioDelivery, attioListEntrySample, attioRecordSample } from '@crmhooks/core/testing';

const secret = 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb';

function receiver(options: Partial<AttioOptions> = {}) {
  const webhooks = createWebhooks({ providers: [attio({ secret, ...options })], logger: false });
  const seen: string[] = [];
  webhooks.onAny((event) => void seen.push(`${event.name}@${event.tenant}`));
  return { webhooks, seen };
}

describe('Attio deliveries', () => {
  test('list entries are typed and dispatched as association events with both ends; other events typed and dispatched', async () => {
    const { webhooks, seen } = receiver();
    const entries: AttioListEntryEvent[] = [];
    webhooks.on('attio.list-entry.created', (event) => {
      expectTypeOf(event.parent_record_id).toEqualTypeOf<string>();
      entries.push(event);
    });
    const links: AssociationEvent[] = [];
    webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => void links.push(link));
    for (const event of [attioListEntrySample('list-entry.created'), attioListEntrySample('list-entry.deleted'), attioRecordSample('record.updated')]) {
      expect((await webhooks.receive(attioDelivery({ secret, events: [event] }))).status).toBe(200);
    }
    expect(seen).toEqual(['attio.list-entry.created', 'attio.list-entry.deleted', 'attio.record.updated'].map((name) => `${name}@14beef7a-99f7-4534-a87e-70b564330a4c`));
    expect(entries).toHaveLength(1);
    expect(links.map((link) => [link.provider, link.action, link.level, link.tenant, link.id, link.definitionId, link.from, link.to])).toEqual(
      ['created', 'deleted'].map((action) => [
        'attio',
        action,
        'record',
        '14beef7a-99f7-4534-a87e-70b564330a4c',
        '2e6e29ea-c4e0-4f44-842d-78a891f8c156',
        '33ebdbe9-e529-47c9-b894-0ba25e9c15c0',
        { objectType: '97052eb9-e65e-443f-a297-f2d9a4a7f795', recordId: 'bf071e1f-6035-429d-b874-d83ea64ea13b' },
        { objectType: 'list', recordId: '33ebdbe9-e529-47c9-b894-0ba25e9c15c0' },
      ]),
    );
  });

  test('signed as Attio signs (checked against node:crypto by hand), under either header; a retry is a duplicate whatever its Idempotency-Key', async () => {
    const { webhooks, seen } = receiver();
    const delivery = attioDelivery({ secret, events: [attioListEntrySample()], idempotencyKey: 'key-1' });
    expect(delivery.headers['attio-signature']).toBe(createHmac('sha256', secret).update(delivery.body).digest('hex'));
    const { 'attio-signature': _dropped, ...legacyOnly } = delivery.headers;
    expect((await webhooks.receive({ ...delivery, headers: legacyOnly })).status).toBe(200);
    const again = await webhooks.receive({ ...delivery, headers: { ...delivery.headers, 'idempotency-key': 'another' } });
    expect([again.status, again.body]).toEqual([200, { ok: true, duplicate: true }]);
    expect(seen).toHaveLength(1);
    expect(delivery.deliveryIds).toHaveLength(1);
  });

  test('a wrong, missing or malformed signature is 401 and runs nothing; a rotated secret verifies while both are given', async () => {
    const { webhooks, seen } = receiver();
    const forged = attioDelivery({ secret: 'not-the-secret', events: [attioListEntrySample()] });
    const wrong = await webhooks.receive(forged);
    expect([wrong.status, wrong.error?.code]).toEqual([401, 'signature_invalid']);
    const { 'attio-signature': _a, 'x-attio-signature': _b, ...unsigned } = forged.headers;
    const missing = await webhooks.receive({ ...forged, headers: unsigned });
    expect([missing.status, missing.error?.code, missing.error?.message]).toEqual([401, 'signature_missing', expect.stringContaining('Attio-Signature')]);
    const malformed = await webhooks.receive({ ...forged, headers: { ...forged.headers, 'attio-signature': 'zz' } });
    expect([malformed.status, malformed.error?.message]).toEqual([401, expect.stringContaining('64 hex characters')]);
    expect(seen).toEqual([]);
    const rotating = receiver({ secret: ['the-new-secret', secret] });
    expect((await rotating.webhooks.receive(attioDelivery({ secret, events: [attioListEntrySample()] }))).status).toBe(200);
    expect((await rotating.webhooks.receive(attioDelivery({ secret: 'the-new-secret', events: [attioRecordSample()] }))).status).toBe(200);
  });

  test("a secret per workspace: each verifies its own; another workspace's secret and an unknown workspace are 401", async () => {
    const secrets: Record<string, string> = { 'ws-1': 'secret-of-ws-1', 'ws-2': 'secret-of-ws-2' };
    const webhooks = createWebhooks({ providers: [attio({ secret: (workspace) => secrets[workspace] })], logger: false });
    const tenants: (string | undefined)[] = [];
    webhooks.on('association.created', (link) => void tenants.push(link.tenant));
    const entry = (workspaceId: string) => [attioListEntrySample('list-entry.created', { workspaceId })];
    expect((await webhooks.receive(attioDelivery({ secret: 'secret-of-ws-1', events: entry('ws-1') }))).status).toBe(200);
    expect((await webhooks.receive(attioDelivery({ secret: 'secret-of-ws-2', events: entry('ws-1') }))).status).toBe(401);
    expect((await webhooks.receive(attioDelivery({ secret: 'secret-of-ws-3', events: entry('ws-3') }))).status).toBe(401);
    expect(tenants).toEqual(['ws-1']);
    // A body signed with ws-1's secret may not carry another workspace's event.
    const mixed = await webhooks.receive(attioDelivery({ secret: 'secret-of-ws-1', events: [...entry('ws-1'), attioListEntrySample('list-entry.created', { workspaceId: 'ws-2', entryId: 'e-2' })] }));
    expect([mixed.status, mixed.error?.code]).toEqual([401, 'tenant_mismatch']);
    expect(tenants).toEqual(['ws-1']);
  });

  test('a body without events, an event without event_type, a list entry without its ends: 400 saying what is missing', async () => {
    const { webhooks, seen } = receiver();
    const noEvents = await webhooks.receive(attioDelivery({ secret, events: JSON.stringify({ webhook_id: 'w' }) }));
    expect([noEvents.status, noEvents.error?.message]).toEqual([400, expect.stringContaining('"events"')]);
    const unnamed = await webhooks.receive(attioDelivery({ secret, events: [{ id: { workspace_id: 'w' } }] }));
    expect([unnamed.status, unnamed.error?.message]).toEqual([400, expect.stringContaining('event_type')]);
    const noEnds = await webhooks.receive(attioDelivery({ secret, events: [{ event_type: 'list-entry.created', id: { workspace_id: 'w' } }] }));
    expect([noEnds.status, noEnds.error?.message]).toEqual([400, expect.stringContaining('parent_record_id')]);
    expect(seen).toEqual([]);
  });

  test('a batch (Attio may send several events one day): each event has its own id and runs on its own', async () => {
    const { webhooks, seen } = receiver();
    const delivery = attioDelivery({ secret, events: [attioListEntrySample(), attioRecordSample('record.created')] });
    const outcome = await webhooks.receive(delivery);
    expect(outcome.events.map((event) => event.deliveryId)).toEqual(delivery.deliveryIds);
    expect(new Set(delivery.deliveryIds).size).toBe(2);
    expect(seen).toHaveLength(2);
  });
});

describe('Attio options', () => {
  test('the secret is required and checked at construction, named as written', () => {
    expect(() => attio(undefined as never)).toThrow(/^attio\(\{ secret \}\) is required/);
    expect(() => attio({ secret: '' })).toThrow(/^attio\(\{ secret \}\) is an empty string/);
  });
});

describe('Attio event names', () => {
  test('a misspelled name does not compile; declared extras do', () => {
    const webhooks = createWebhooks({ providers: [attio<'call-recording.created'>({ secret })], logger: false });
    webhooks.on('attio.record.merged', () => undefined);
    webhooks.on('attio.call-recording.created', () => undefined);
    // @ts-expect-error: Attio's list entry events are list-entry.*, not list_entry.*
    webhooks.on('attio.list_entry.created', () => undefined);
  });
});
