import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createLinkMirror, type Database, type LinkMirror } from '../src/index.js';
import { upsertFunctionsV1 } from '../src/upserts.js';
import { tableNames } from '../src/tables.js';
import { DATABASES } from './support/databases.js';
import { linkEvent } from './support/events.js';

const T0 = Date.parse('2026-11-01T10:00:00Z');
const SECRETS: Record<string, string> = { Cust1: 'secret-of-cust1', Cust2: 'secret-of-cust2' };

/** SuperOffice relation `relationId` of `tenant` between contact `from` and person `to`, signed with that tenant's secret. */
function relation(tenant: string, action: 'created' | 'deleted', relationId: number, from?: number, to?: number) {
  const sample = superOfficeSample('relation.created');
  const fields = { ...sample.FieldValues, relation_id: relationId, source_table: 5, source_record: from, destination_table: 6, destination_record: to };
  const payload =
    action === 'created'
      ? { ...sample, EventId: `${tenant}-${action}-${relationId}`, ContextIdentifier: tenant, FieldValues: fields }
      : { ...superOfficeSample('relation.deleted'), EventId: `${tenant}-${action}-${relationId}`, ContextIdentifier: tenant, PrimaryKey: relationId, Values: { relation_id: relationId } };
  return superOfficeDelivery({ secret: SECRETS[tenant]!, payload });
}

describe.each(DATABASES)('the link mirror keeps each tenant apart, on $name', (kind) => {
  let database: Database;
  let stop: () => Promise<void>;
  let mirror: LinkMirror;
  let prefix = 0;

  beforeAll(async () => {
    ({ database, stop } = await kind.start());
  });
  afterAll(async () => stop?.());
  beforeEach(() => void (mirror = createLinkMirror({ database, tablePrefix: `tenant${++prefix}_` })));

  test('two customers both create relation 20 between different records: both are kept, each query sees its own', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret: (tenant) => SECRETS[tenant] })], logger: false });
    mirror.attach(webhooks);
    expect((await webhooks.receive(relation('Cust1', 'created', 20, 100, 200))).status).toBe(200);
    expect((await webhooks.receive(relation('Cust2', 'created', 20, 300, 400))).status).toBe(200);

    const ofCust1 = await mirror.linksOf({ provider: 'superoffice', tenant: 'Cust1', recordId: '100' });
    expect(ofCust1.map((link) => [link.tenant, link.id, link.from.recordId, link.to.recordId])).toEqual([['Cust1', '20', '100', '200']]);
    expect(await mirror.linksOf({ provider: 'superoffice', tenant: 'Cust2', recordId: '100' })).toEqual([]);
    expect((await mirror.link('superoffice', '20', 'Cust2'))?.to.recordId).toBe('400');
    expect((await mirror.links({ tenant: 'Cust1' })).map((link) => link.tenant)).toEqual(['Cust1']);
    expect((await mirror.links()).map((link) => `${link.tenant}:${link.id}`)).toEqual(['Cust1:20', 'Cust2:20']);
    expect(await mirror.areLinked({ provider: 'superoffice', tenant: 'Cust1', recordId: '100' }, { provider: 'superoffice', tenant: 'Cust2', recordId: '400' })).toBe(false);

    // Cust2 deletes its relation 20: Cust1's stays.
    expect((await webhooks.receive(relation('Cust2', 'deleted', 20))).status).toBe(200);
    expect((await mirror.link('superoffice', '20', 'Cust1'))?.deletedAt).toBeUndefined();
    expect((await mirror.link('superoffice', '20', 'Cust2'))?.deletedAt).toBeInstanceOf(Date);
  });

  test("forget({ provider, tenant }) deletes one customer's rows in batches while deliveries keep arriving, the others untouched", async () => {
    const events = (tenant: string, count: number) =>
      Array.from({ length: count }, (_, index) =>
        linkEvent({ provider: 'hubspot', tenant, linkId: `L${index}`, action: 'created', time: T0, deliveryId: `${tenant}-${index}`, from: { recordId: `${index}` }, to: { recordId: `x${index}` } }),
      );
    for (const event of [...events('leaving', 250), ...events('staying', 50)]) await mirror.apply(event);
    let arriving = true;
    let appliedMeanwhile = 0;
    const traffic = (async () => {
      for (let index = 0; arriving; index += 1) {
        await mirror.apply(linkEvent({ provider: 'hubspot', tenant: 'staying', linkId: `new-${index}`, action: 'created', time: T0, deliveryId: `n-${index}`, from: { recordId: 'a' }, to: { recordId: 'b' } }));
        appliedMeanwhile += 1;
      }
    })();
    const forgotten = await mirror.forget({ provider: 'hubspot', tenant: 'leaving' }, { batchSize: 40 });
    arriving = false;
    await traffic;
    expect(forgotten).toEqual({ links: 250, definitions: 0 });
    expect(await mirror.links({ tenant: 'leaving', includeDeleted: true })).toEqual([]);
    expect(await mirror.links({ tenant: 'staying' })).toHaveLength(50 + appliedMeanwhile);
    expect(appliedMeanwhile).toBeGreaterThan(0);
    await expect(mirror.forget({ provider: 'hubspot', tenant: '' })).rejects.toThrow(/needs both/);
  });

  test("tables of the previous release, with rows, migrate in place: the rows kept under no tenant, the previous release's writer still works", async () => {
    const t = tableNames('public', `tenant${prefix}_`);
    // Version 1 exactly as the previous release created it, with a row in each table.
    await database.exec(`
      CREATE TABLE ${t.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE ${t.links} (provider text NOT NULL, link_id text NOT NULL, definition_id text, definition_key text COLLATE "C",
        from_type text, from_table integer, from_id text, to_type text, to_table integer, to_id text, ends_key text COLLATE "C",
        created_at timestamptz, updated_at timestamptz NOT NULL, deleted_at timestamptz, state_key text COLLATE "C" NOT NULL, PRIMARY KEY (provider, link_id));
      CREATE INDEX ON ${t.links} (provider, from_id);
      CREATE INDEX ON ${t.links} (provider, to_id);
      CREATE TABLE ${t.definitions} (provider text NOT NULL, definition_id text NOT NULL, key text, from_type text, from_label text, to_type text, to_label text,
        details_key text COLLATE "C", from_to_cardinality text, to_from_cardinality text, cardinality_key text COLLATE "C",
        created_at timestamptz, updated_at timestamptz NOT NULL, deleted_at timestamptz, state_key text COLLATE "C" NOT NULL, PRIMARY KEY (provider, definition_id));
      ${upsertFunctionsV1(t)}
      INSERT INTO ${t.migrations} (version, name) VALUES (1, 'record links and link definitions');
      INSERT INTO ${t.links} (provider, link_id, from_id, to_id, updated_at, state_key) VALUES ('superoffice', '20', '100', '200', now(), 'k');
      INSERT INTO ${t.definitions} (provider, definition_id, key, updated_at, state_key) VALUES ('highlevel', 'd1', 'buyer', now(), 'k');`);
    const migrated = createLinkMirror({ database, tablePrefix: `tenant${prefix}_` });
    await migrated.apply(linkEvent({ provider: 'superoffice', tenant: 'Cust2', linkId: '20', action: 'created', time: T0, deliveryId: 'm-1', from: { recordId: '300' }, to: { recordId: '400' } }));
    const links = await migrated.links();
    expect(links.map((link) => [link.tenant, link.id, link.from.recordId])).toEqual([
      [undefined, '20', '100'],
      ['Cust2', '20', '300'],
    ]);
    expect((await migrated.definitions()).map((definition) => [definition.tenant, definition.key])).toEqual([[undefined, 'buyer']]);
    expect((await migrated.linksOf({ provider: 'superoffice', recordId: '100' })).map((link) => link.id)).toEqual(['20']);
    // A receiver of the previous release, mid rolling deploy, still writes (under no tenant).
    const params = ['superoffice', '21', null, null, null, null, '500', null, null, '600', 'e', null, new Date(T0).toISOString(), null, 'k2'];
    await database.query(`SELECT * FROM ${t.applyLink}(${params.map((_p, index) => `$${index + 1}`).join(', ')})`, params);
    expect((await migrated.link('superoffice', '21'))?.from.recordId).toBe('500');
    const { rows } = await database.query<{ version: number }>(`SELECT version FROM ${t.migrations} ORDER BY version`);
    expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
  });
});
