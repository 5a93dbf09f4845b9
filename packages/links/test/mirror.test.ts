import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ConfigurationError, createWebhooks, superoffice, type QueuedEvent } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createLinkMirror, type Database, type LinkMirror } from '../src/index.js';
import { DATABASES } from './support/databases.js';
import { linkEvent } from './support/events.js';

const T0 = Date.parse('2026-11-01T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;
const contact = (recordId: string) => ({ objectType: 'contact', recordId });
const company = (recordId: string) => ({ objectType: 'company', recordId });

describe.each(DATABASES)('link mirror on $name', (kind) => {
  let database: Database;
  let stop: () => Promise<void>;
  let mirror: LinkMirror;
  let prefix = 0;

  beforeAll(async () => {
    if (!kind.available) return;
    ({ database, stop } = await kind.start());
  });
  afterAll(async () => stop?.());
  // Fresh tables for each test: a prefix of its own.
  beforeEach(() => void (mirror = createLinkMirror({ database, tablePrefix: `t${++prefix}_` })));

  test.runIf(kind.available)('linkedRecords gives each linked record once: both ends when the id is at both, one company for both HubSpot directions', async () => {
    const person = (recordId: string) => ({ objectType: 'person', table: 6, recordId });
    const contact5 = (recordId: string) => ({ objectType: 'contact', table: 5, recordId });
    await mirror.apply(linkEvent({ provider: 'superoffice', linkId: 'R1', action: 'created', time: at(1), deliveryId: 'so-1', from: contact5('7'), to: person('7') }));
    expect(await mirror.linkedRecords({ provider: 'superoffice', recordId: '7' })).toEqual([person('7'), contact5('7')]);
    expect(await mirror.linkedRecords({ provider: 'superoffice', recordId: '7', objectType: 'person' })).toEqual([contact5('7')]);
    // HubSpot fires both sides of one association: a row per direction.
    await mirror.apply(linkEvent({ linkId: '51:CONTACT_TO_COMPANY:7701', action: 'created', time: at(1), deliveryId: 'h-1', from: contact('51'), to: company('7701') }));
    await mirror.apply(linkEvent({ linkId: '7701:COMPANY_TO_CONTACT:51', action: 'created', time: at(1), deliveryId: 'h-2', from: company('7701'), to: contact('51') }));
    expect(await mirror.linkedRecords({ provider: 'hubspot', recordId: '51', objectType: 'contact' })).toEqual([company('7701')]);
  });

  test.runIf(kind.available)('data Postgres refuses (class 22, or too long to index) is permanent: the delivery is answered 200, the event parked, and the next one applied', async () => {
    const parked: QueuedEvent[] = [];
    const secret = 'mirror-secret';
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], logger: false, deadLetters: { park: (event) => void parked.push(event) } });
    mirror.attach(webhooks);
    const relation = (EventId: string, fields: object) => {
      const sample = superOfficeSample('relation.created');
      return superOfficeDelivery({ secret, payload: { ...sample, EventId, FieldValues: { ...sample.FieldValues, ...fields } } });
    };
    const refused = [
      relation('range', { source_table: 3e9 }), // out of range for an integer (22003)
      relation('fraction', { source_table: 5.5 }), // not an integer (22P02)
      relation('nul', { source_record: 'a\u0000b' }), // a NUL byte in text (22021)
      relation('long', { source_record: randomBytes(3_000).toString('base64').slice(0, 3_000) }), // too long to index (54000)
    ];
    for (const delivery of refused) {
      const outcome = await webhooks.receive(delivery);
      expect([outcome.status, outcome.error?.code]).toEqual([200, 'event_parked']);
      expect(outcome.error?.message).toMatch(/The link mirror cannot store superoffice.relation.created .*Postgres refused its data \(SQLSTATE (22|54000)/);
    }
    expect(parked.map((event) => event.deliveryId)).toEqual(['range', 'fraction', 'nul', 'long']);
    expect((await webhooks.receive(relation('fine', {}))).status).toBe(200);
    expect(await mirror.links({ provider: 'superoffice' })).toHaveLength(1);
  });

  test.runIf(kind.available)('a create then a delete leaves a tombstone that the queries leave out unless asked', async () => {
    await mirror.apply(linkEvent({ linkId: 'L1', action: 'created', time: at(1), deliveryId: 'd1', from: contact('1'), to: company('2'), definitionId: 'CONTACT_TO_COMPANY' }));
    expect(await mirror.areLinked({ provider: 'hubspot', recordId: '1' }, { provider: 'hubspot', recordId: '2' })).toBe(true);
    await mirror.apply(linkEvent({ linkId: 'L1', action: 'deleted', time: at(2), deliveryId: 'd2', from: contact('1'), to: company('2') }));

    const link = await mirror.link('hubspot', 'L1');
    expect(link).toMatchObject({ id: 'L1', definitionId: 'CONTACT_TO_COMPANY', from: contact('1'), to: company('2') });
    expect(link!.createdAt).toEqual(new Date(at(1)));
    expect(link!.deletedAt).toEqual(new Date(at(2)));
    expect(link!.updatedAt).toEqual(new Date(at(2)));
    expect(await mirror.linksOf({ provider: 'hubspot', recordId: '1' })).toEqual([]);
    expect(await mirror.linksOf({ provider: 'hubspot', recordId: '1' }, { includeDeleted: true })).toHaveLength(1);
    expect(await mirror.areLinked({ provider: 'hubspot', recordId: '1' }, { provider: 'hubspot', recordId: '2' })).toBe(false);
  });

  test.runIf(kind.available)('a delete that arrives first keeps the late create from bringing the link back; the create still gives the ends', async () => {
    const deleted = await mirror.apply(linkEvent({ linkId: 'L1', action: 'deleted', time: at(2), deliveryId: 'd2' }));
    expect(deleted).toMatchObject({ kind: 'link', stale: false, link: { from: {}, to: {} } });
    const late = await mirror.apply(linkEvent({ linkId: 'L1', action: 'created', time: at(1), deliveryId: 'd1', from: contact('1'), to: company('2') }));

    expect(late.stale).toBe(true);
    expect(late.kind === 'link' && late.link).toMatchObject({ from: contact('1'), to: company('2'), deletedAt: new Date(at(2)), createdAt: new Date(at(1)) });
    expect(await mirror.links()).toEqual([]);
  });

  test.runIf(kind.available)('a newer create after a delete links the records again (HubSpot reuses the link id)', async () => {
    await mirror.apply(linkEvent({ linkId: 'L1', action: 'created', time: at(1), deliveryId: 'd1', from: contact('1'), to: company('2') }));
    await mirror.apply(linkEvent({ linkId: 'L1', action: 'deleted', time: at(2), deliveryId: 'd2', from: contact('1'), to: company('2') }));
    await mirror.apply(linkEvent({ linkId: 'L1', action: 'created', time: at(3), deliveryId: 'd3', from: contact('1'), to: company('2') }));
    expect(await mirror.link('hubspot', 'L1')).toMatchObject({ deletedAt: undefined, createdAt: new Date(at(1)), updatedAt: new Date(at(3)) });
  });

  test.runIf(kind.available)('an older update never overwrites newer ends; a duplicate changes nothing', async () => {
    const newer = linkEvent({ linkId: 'L1', action: 'updated', time: at(5), deliveryId: 'd5', from: contact('1'), to: company('3') });
    await mirror.apply(newer);
    const older = await mirror.apply(linkEvent({ linkId: 'L1', action: 'created', time: at(1), deliveryId: 'd1', from: contact('1'), to: company('2') }));
    expect(older.kind === 'link' && older.link.to).toEqual(company('3'));
    const before = await mirror.link('hubspot', 'L1');
    const again = await mirror.apply(newer);
    expect(again.stale).toBe(false);
    expect(await mirror.link('hubspot', 'L1')).toEqual(before);
  });

  test.runIf(kind.available)('events at the same CRM time: the delete wins over the create whichever comes first', async () => {
    await mirror.apply(linkEvent({ linkId: 'A', action: 'deleted', time: at(1), deliveryId: 'x' }));
    await mirror.apply(linkEvent({ linkId: 'A', action: 'created', time: at(1), deliveryId: 'y', from: contact('1'), to: company('2') }));
    await mirror.apply(linkEvent({ linkId: 'B', action: 'created', time: at(1), deliveryId: 'y', from: contact('1'), to: company('2') }));
    await mirror.apply(linkEvent({ linkId: 'B', action: 'deleted', time: at(1), deliveryId: 'x' }));
    const [a, b] = await Promise.all([mirror.link('hubspot', 'A'), mirror.link('hubspot', 'B')]);
    expect(a).toEqual(b && { ...b, id: 'A' });
    expect(a!.deletedAt).toEqual(new Date(at(1)));
  });

  test.runIf(kind.available)('a delete without ends comes back completed from the stored row', async () => {
    await mirror.apply(linkEvent({ provider: 'superoffice', linkId: '20', action: 'created', time: at(1), deliveryId: 'd1', from: { objectType: 'contact', table: 5, recordId: '1' }, to: { objectType: 'contact', table: 5, recordId: '2' }, definitionId: '7' }));
    const applied = await mirror.apply(linkEvent({ provider: 'superoffice', linkId: '20', action: 'deleted', time: at(2), deliveryId: 'd2' }));
    expect(applied.event).toMatchObject({ action: 'deleted', id: '20', definitionId: '7', from: { table: 5, recordId: '1' }, to: { table: 5, recordId: '2' }, deliveryId: 'd2' });
  });

  test.runIf(kind.available)('queries: links of a record both ways, by type and definition, linked records, a link by id', async () => {
    const changes = [
      { linkId: 'a', from: contact('1'), to: company('10'), definitionId: 'CONTACT_TO_COMPANY' },
      { linkId: 'b', from: company('11'), to: contact('1'), definitionId: 'COMPANY_TO_CONTACT' },
      { linkId: 'c', from: company('1'), to: contact('9'), definitionId: 'COMPANY_TO_CONTACT' }, // company 1, not contact 1
      { linkId: 'd', from: contact('2'), to: company('10'), definitionId: 'CONTACT_TO_COMPANY' },
    ];
    for (const [index, change] of changes.entries()) {
      await mirror.apply(linkEvent({ ...change, action: 'created', time: at(index), deliveryId: `d${index}` }));
    }
    const contact1 = { provider: 'hubspot', recordId: '1', objectType: 'contact' };
    expect((await mirror.linksOf(contact1)).map((link) => link.id)).toEqual(['a', 'b']);
    expect((await mirror.linksOf({ provider: 'hubspot', recordId: '1' })).map((link) => link.id)).toEqual(['a', 'b', 'c']);
    expect((await mirror.linksOf(contact1, { definitionId: 'COMPANY_TO_CONTACT' })).map((link) => link.id)).toEqual(['b']);
    expect(await mirror.linkedRecords(contact1)).toEqual([company('10'), company('11')]);
    expect(await mirror.linkedRecords(contact1, { definitionId: 'CONTACT_TO_COMPANY' })).toEqual([company('10')]);
    expect(await mirror.areLinked({ provider: 'hubspot', recordId: '10' }, contact1)).toBe(true);
    expect(await mirror.areLinked(contact1, { provider: 'hubspot', recordId: '9' })).toBe(false);
    expect(await mirror.areLinked(contact1, { provider: 'superoffice', recordId: '10' })).toBe(false);
    expect(await mirror.link('hubspot', 'd')).toMatchObject({ from: contact('2'), to: company('10') });
    expect(await mirror.link('hubspot', 'nope')).toBeUndefined();
    expect(await mirror.link('highlevel', 'a')).toBeUndefined();
  });

  test.runIf(kind.available)('definitions keep labels, key and cardinality, each from the newest event that sent them', async () => {
    const definition = (action: 'created' | 'updated' | 'deleted', time: number, extra: Record<string, string> = {}) => ({
      action,
      level: 'definition' as const,
      provider: 'highlevel',
      id: 'assoc1',
      definitionId: 'assoc1',
      from: { objectType: 'custom_objects.real_estate_buyer', label: 'Interested Buyer' },
      to: { objectType: 'custom_objects.property', label: extra.label ?? 'Property' },
      occurredAt: new Date(time).toISOString(),
      deliveryId: `def-${time}`,
      native: { name: `highlevel.Association${action}`, payload: { key: 'buyer_property_interest', ...extra } },
    });
    const cardinality = { firstObjectToSecondObjectCardinality: 'MANY_TO_MANY', secondObjectToFirstObjectCardinality: 'ONE_TO_MANY' };
    await mirror.apply(definition('updated', at(2), { ...cardinality, label: 'Home' }));
    await mirror.apply(definition('created', at(1))); // late: neither the label nor the cardinality goes back
    expect(await mirror.definitions()).toEqual([
      {
        provider: 'highlevel',
        id: 'assoc1',
        key: 'buyer_property_interest',
        from: { objectType: 'custom_objects.real_estate_buyer', label: 'Interested Buyer' },
        to: { objectType: 'custom_objects.property', label: 'Home' },
        fromToCardinality: 'MANY_TO_MANY',
        toFromCardinality: 'ONE_TO_MANY',
        createdAt: new Date(at(1)),
        updatedAt: new Date(at(2)),
        deletedAt: undefined,
      },
    ]);
    await mirror.apply(definition('deleted', at(3), cardinality));
    expect(await mirror.definitions()).toEqual([]);
    expect(await mirror.definitions({ includeDeleted: true })).toMatchObject([{ deletedAt: new Date(at(3)) }]);
  });

  test.runIf(kind.available)('an event with no CRM time is placed at its arrival', async () => {
    const before = Date.now();
    await mirror.apply(linkEvent({ linkId: 'L1', action: 'created', deliveryId: 'd1', from: contact('1'), to: company('2') }));
    const link = await mirror.link('hubspot', 'L1');
    expect(link!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(link!.updatedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test.runIf(kind.available)('an event without a link id is skipped with a warning that says why', async () => {
    const warnings: unknown[] = [];
    const warned = createLinkMirror({ database, tablePrefix: `t${++prefix}_`, logger: { warn: (fields, message) => warnings.push({ fields, message }), error: () => undefined } });
    const applied = await warned.apply({ ...linkEvent({ linkId: 'x', action: 'deleted', deliveryId: 'd9' }), id: undefined });
    expect(applied.kind).toBe('skipped');
    expect(warnings).toEqual([
      { fields: { code: 'link_id_missing', provider: 'hubspot', event: 'test.deleted', deliveryId: 'd9' }, message: expect.stringContaining('names no link id') },
    ]);
    expect(await warned.links({ includeDeleted: true })).toEqual([]);
  });

  test.runIf(kind.available)('migrations: own schema and prefix, recorded once however many mirrors start together', async () => {
    const mirrors = Array.from({ length: 4 }, () => createLinkMirror({ database, schema: 'crm_mirror', tablePrefix: `m${prefix}_` }));
    await Promise.all(mirrors.map((each) => each.ready()));
    const { rows } = await database.query<{ version: number }>(`SELECT version FROM crm_mirror.m${prefix}_migrations`);
    expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
    const tables = await database.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'crm_mirror' AND table_name LIKE 'm${prefix}\\_%' ORDER BY table_name`,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual([`m${prefix}_link_definitions`, `m${prefix}_links`, `m${prefix}_migrations`]);
  });
});

test('schema and prefix are checked before they reach SQL', () => {
  expect(() => createLinkMirror({ schema: 'public; DROP TABLE x' })).toThrow(ConfigurationError);
  expect(() => createLinkMirror({ tablePrefix: 'Links-' })).toThrow(/tablePrefix/);
});

test('an unreachable database: ready() says what failed and what to check, and the next call tries again', async () => {
  let calls = 0;
  const down: Database = {
    query: () => Promise.reject(new Error('unused')),
    exec: () => (++calls === 1 ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) : Promise.resolve()),
  };
  const mirror = createLinkMirror({ database: down });
  await expect(mirror.ready()).rejects.toThrow(/could not create or migrate its tables .*ECONNREFUSED.*Check that the database is reachable/);
  await expect(mirror.ready()).resolves.toBe(down);
  expect(calls).toBe(2);
});
