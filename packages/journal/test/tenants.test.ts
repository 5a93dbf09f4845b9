import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createJournal, pglite } from '@crmhooks/journal';
import { arrivedAs, attemptAt, tablesOfVersion, withoutCounts, writeAsVersion7 } from './support/previous-release.js';

const SECRETS: Record<string, string> = { Cust1: 'secret-of-cust1', Cust2: 'secret-of-cust2' };
/** A relation.created of `tenant` (signed with its own secret), linking contact `record` to person 2. */
const relation = (tenant: string, eventId: string, record = 1) => {
  const sample = superOfficeSample('relation.created');
  return superOfficeDelivery({
    secret: SECRETS[tenant]!,
    payload: { ...sample, EventId: eventId, ContextIdentifier: tenant, FieldValues: { ...sample.FieldValues, source_record: record } },
  });
};

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

let tables = 0;
function setup() {
  const journal = createJournal({ database: pglite(db), tablePrefix: `tj${(tables += 1)}_`, pruneEveryMs: false });
  const webhooks = createWebhooks({
    providers: [superoffice({ secret: (tenant) => SECRETS[tenant] })],
    journal,
    store: journal.store,
    logger: false,
  });
  let failing = false;
  webhooks.on('association.created', () => {
    if (failing) throw new Error('a bug in the handler');
  });
  return { journal, webhooks, prefix: `tj${tables}_`, fail: (on: boolean) => void (failing = on) };
}

describe('the journal keeps each tenant apart', () => {
  test('events and attempts carry their tenant; list, summary, replay and prune filter by it; tenantSummary counts by it', async () => {
    const { journal, webhooks, fail } = setup();
    for (let index = 0; index < 3; index += 1) expect((await webhooks.receive(relation('Cust1', `c1-${index}`, 100))).status).toBe(200);
    fail(true);
    expect((await webhooks.receive(relation('Cust2', 'c2-0', 100))).status).toBe(500);
    fail(false);

    const ofCust2 = await journal.list({ tenant: 'Cust2' });
    expect(ofCust2.map((event) => [event.tenant, event.deliveryId, event.state])).toEqual([['Cust2', 'c2-0', 'failed']]);
    // Record 100 exists in both customers' CRMs: the tenant tells them apart.
    expect((await journal.list({ recordId: '100', tenant: 'Cust1' })).map((event) => event.deliveryId).sort()).toEqual(['c1-0', 'c1-1', 'c1-2']);
    expect(await journal.summary({ tenant: 'Cust1' })).toEqual([{ provider: 'superoffice', state: 'handled', count: 3 }]);
    expect(await journal.tenantSummary()).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 3, states: { handled: 3 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 1, states: { failed: 1 } },
    ]);

    // Replaying Cust1's events runs none of Cust2's.
    const report = await journal.replay(webhooks, { tenant: 'Cust1', state: 'failed' });
    expect(report).toMatchObject({ matched: 0, handled: 0 });
    expect(await journal.replay(webhooks, { tenant: 'Cust2', state: 'failed' })).toMatchObject({ matched: 1, handled: 1 });

    expect(await journal.prune({ olderThan: new Date(Date.now() + 1000), tenant: 'Cust2' })).toBe(1);
    expect((await journal.list()).map((event) => event.tenant)).toEqual(['Cust1', 'Cust1', 'Cust1']);
  });

  test("a tenant's events, whatever their state, are listed newest first, page by page", async () => {
    const { journal, webhooks, fail } = setup();
    for (let index = 0; index < 7; index += 1) {
      fail(index % 3 === 1);
      await webhooks.receive(relation(index % 2 === 0 ? 'Cust1' : 'Cust2', `mixed-${index}`));
    }
    fail(false);
    const everyOne = await journal.list({ tenant: 'Cust1' }, { limit: 100 });
    expect(everyOne.map((event) => [event.deliveryId, event.state])).toEqual([
      ['mixed-6', 'handled'],
      ['mixed-4', 'failed'],
      ['mixed-2', 'handled'],
      ['mixed-0', 'handled'],
    ]);
    const first = await journal.list({ tenant: 'Cust1' }, { limit: 2 });
    const last = first.at(-1)!;
    const second = await journal.list({ tenant: 'Cust1' }, { limit: 2, after: { receivedAt: last.receivedAt, provider: last.provider, deliveryId: last.deliveryId } });
    expect([...first, ...second]).toEqual(everyOne);
    expect((await journal.list({ tenant: 'Cust2', state: ['failed', 'handled'] })).map((event) => event.deliveryId)).toEqual(['mixed-5', 'mixed-3', 'mixed-1']);
  });

  test("forget({ provider, tenant }) deletes one customer's deliveries, events and attempts while deliveries keep arriving", async () => {
    const { journal, webhooks } = setup();
    for (let index = 0; index < 120; index += 1) await webhooks.receive(relation('Cust1', `leaving-${index}`));
    let arriving = true;
    const answered: number[] = [];
    const traffic = (async () => {
      for (let index = 0; arriving; index += 1) answered.push((await webhooks.receive(relation('Cust2', `staying-${index}`))).status);
    })();
    const forgotten = await journal.forget({ provider: 'superoffice', tenant: 'Cust1' }, { batchSize: 25 });
    arriving = false;
    await traffic;
    expect(forgotten).toEqual({ deliveries: 120, events: 120, attempts: 120 });
    expect(await journal.list({ tenant: 'Cust1' })).toEqual([]);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((status) => status === 200)).toBe(true);
    expect(await journal.summary({ tenant: 'Cust2' })).toEqual([{ provider: 'superoffice', state: 'handled', count: answered.length }]);
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tj${tables}_attempts WHERE tenant = 'Cust1'`);
    expect(rows.rows).toEqual([{ n: 0 }]);
  });

  test('tables of the previous release, with rows, migrate in place; fillTenants files the old rows under their tenant', async () => {
    const prefix = `tj${(tables += 1)}_`;
    await tablesOfVersion(db, prefix, 7);
    for (const [tenant, eventId] of [['Cust1', 'old-1'], ['Cust2', 'old-2']] as const) {
      await writeAsVersion7(db, prefix, [{ delivery: arrivedAs(relation(tenant, eventId), Date.now(), tenant), key: eventId }]);
      await writeAsVersion7(db, prefix, [{ attempts: [attemptAt(eventId, 'handled', tenant)], key: `${eventId}-attempt` }]);
    }
    // As the release before tenants left the database: version 3, no tenant anywhere (and no counts, version 7).
    await db.exec(`${withoutCounts(prefix)} DELETE FROM ${prefix}versions WHERE version = 4;
      ALTER TABLE ${prefix}deliveries DROP COLUMN tenant; ALTER TABLE ${prefix}events DROP COLUMN tenant; ALTER TABLE ${prefix}attempts DROP COLUMN tenant;`);

    const upgraded = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    expect((await upgraded.list()).map((event) => [event.deliveryId, event.tenant]).sort()).toEqual([
      ['old-1', null],
      ['old-2', null],
    ]);
    expect(await upgraded.list({ tenant: 'Cust1' })).toEqual([]);
    const receiver = createWebhooks({ providers: [superoffice({ secret: (tenant) => SECRETS[tenant] })], journal: upgraded, store: upgraded.store, logger: false });
    expect(await upgraded.fillTenants(receiver)).toEqual({ filled: 2, unreadable: 0 });
    // The last day's counts follow the events to their tenants.
    const lastDay = new Date((Math.floor(Date.now() / 3_600_000) - 23) * 3_600_000);
    expect(await upgraded.tenantSummary({ since: lastDay })).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 1, states: { handled: 1 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 1, states: { handled: 1 } },
    ]);
    expect((await upgraded.list({ tenant: 'Cust1' })).map((event) => event.deliveryId)).toEqual(['old-1']);
    expect(await upgraded.fillTenants(receiver)).toEqual({ filled: 0, unreadable: 0 });
    expect(await upgraded.forget({ provider: 'superoffice', tenant: 'Cust2' })).toEqual({ deliveries: 1, events: 1, attempts: 1 });
    // New deliveries carry their tenant at once.
    expect((await receiver.receive(relation('Cust2', 'new-1'))).status).toBe(200);
    expect((await upgraded.list({ tenant: 'Cust2' })).map((event) => event.deliveryId)).toEqual(['new-1']);
    const versions = await db.query<{ version: number }>(`SELECT version FROM ${prefix}versions ORDER BY version`);
    expect(versions.rows.map((row) => row.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Version 7 finds a tenant's events by state and time, in place of time alone.
    const indexes = await db.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE tablename = '${prefix}events' AND indexdef LIKE '%(tenant%'`);
    expect(indexes.rows.map((row) => row.def.replace(/^.*USING btree /, ''))).toEqual(['(tenant, state, received_at DESC)']);
  });
});
