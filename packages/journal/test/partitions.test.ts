import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createJournal, pglite } from '@crmhooks/journal';
import { arrivedAs, attemptAt, tablesOfVersion, writeAsVersion7 } from './support/previous-release.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const secret = 'partitions-test-secret';
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

let tables = 0;
const nextPrefix = () => `p${(tables += 1)}_`;

/** A SuperOffice relation.created as the receiver hands it to the journal, arrived at `receivedAt`. */
const arrived = (eventId: string, receivedAt: number, tenant = 'Cust1') =>
  arrivedAs(superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant } }), receivedAt, tenant);
const attempt = (eventId: string, result: 'handled' | 'failed') => attemptAt(eventId, result, 'Cust1');

function receiverOn(journal: ReturnType<typeof createJournal>) {
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, deadLetters: journal, logger: false });
  const runs: string[] = [];
  webhooks.on('superoffice.relation.created', (_event, context) => void runs.push(context.deliveryId));
  return { webhooks, runs };
}

/** The partitions of `<prefix>events`, by name. */
async function dayTables(prefix: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${prefix}events'::regclass ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

const dayName = (prefix: string, table: string, at: number) => `${prefix}${table}_p${new Date(at).toISOString().slice(0, 10).replaceAll('-', '')}`;

describe('the journal partitioned by day', () => {
  test('tables of version 7 with rows over three days migrate: every event, body, attempt and count kept; copies of old events are duplicates', async () => {
    const prefix = nextPrefix();
    await tablesOfVersion(db, prefix, 7);
    const days = [today - 2 * DAY_MS + 3_600_000, today - DAY_MS + 7_200_000, Date.now() - 1000];
    const ids = days.flatMap((at, day) => [0, 1, 2].map((index) => ({ id: `old-${day}-${index}`, at: at + index })));
    for (const { id, at } of ids) await writeAsVersion7(db, prefix, [{ delivery: arrived(id, at), key: `k-${id}` }]);
    await writeAsVersion7(db, prefix, [{ attempts: ids.map(({ id }, index) => attempt(id, index % 3 === 2 ? 'failed' : 'handled')), key: 'attempts' }]);
    // A retry of one (the same body) and a copy sent twice: one delivery row each, as version 7 kept them.
    await writeAsVersion7(db, prefix, [{ delivery: arrived('old-0-0', days[0]!), key: 'again' }]);
    // An event a store claimed before its delivery was recorded: its time has microseconds (Postgres' clock).
    await db.query(`INSERT INTO ${prefix}events (provider, delivery_id, name, state, received_at, updated_at) VALUES ('superoffice', 'claimed-first', '', 'failed', now(), now())`);
    const before = (await db.query(`SELECT provider, tenant, delivery_id, name, state, date_trunc('milliseconds', received_at) AS received_at, attempts, last_status FROM ${prefix}events ORDER BY delivery_id`)).rows;
    await db.query(`SELECT ${prefix}fold_counts()`);
    const countsBefore = (await db.query(`SELECT hour, provider, state, count FROM ${prefix}hour_counts ORDER BY 1, 2, 3`)).rows;

    const journal = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    await journal.ready();
    const after = (await db.query(`SELECT provider, tenant, delivery_id, name, state, received_at, attempts, last_status FROM ${prefix}events ORDER BY delivery_id`)).rows;
    expect(after).toEqual(before);
    expect(after.length).toBe(10);
    expect((await journal.show('superoffice', 'claimed-first'))?.event.state).toBe('failed');
    // Each day's rows in that day's partition, and the days ahead made.
    expect(await dayTables(prefix)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5].map((day) => dayName(prefix, 'events', today + (day - 2) * DAY_MS))));
    const filed = await db.query<{ day: string; n: number }>(`SELECT tableoid::regclass::text AS day, count(*)::int AS n FROM ${prefix}events GROUP BY 1 ORDER BY 1`);
    expect(filed.rows).toEqual(days.map((at, day) => ({ day: dayName(prefix, 'events', at), n: day === 2 ? 4 : 3 })));
    const attempts = await db.query<{ day: string; n: number }>(`SELECT tableoid::regclass::text AS day, count(*)::int AS n FROM ${prefix}attempts GROUP BY 1 ORDER BY 1`);
    expect(attempts.rows).toEqual(days.map((at) => ({ day: dayName(prefix, 'attempts', at), n: 3 })));
    // Shown whole: the body, the attempts.
    const shown = await journal.show('superoffice', 'old-0-2');
    expect(shown?.event).toMatchObject({ state: 'failed', tenant: 'Cust1', lastStatus: 500 });
    expect(shown?.attempts.map((a) => a.result)).toEqual(['failed']);
    expect(JSON.parse(shown!.delivery.body!).EventId).toBe('old-0-2');
    expect((await db.query(`SELECT hour, provider, state, count FROM ${prefix}hour_counts ORDER BY 1, 2, 3`)).rows).toEqual(countsBefore);

    // The migrated claims keep ids unique: the CRM's copy of an old handled event is a duplicate; a failed one runs again.
    const { webhooks, runs } = receiverOn(journal);
    const copy = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: 'Cust1' } });
    expect((await webhooks.receive(copy('old-0-0'))).status).toBe(200);
    expect((await webhooks.receive(copy('old-0-2'))).status).toBe(200);
    expect((await webhooks.receive(copy('new-1'))).status).toBe(200);
    expect(runs).toEqual(['old-0-2', 'new-1']);
    expect((await journal.show('superoffice', 'old-0-2'))?.event.state).toBe('handled');
    // A replay of a migrated event reads its body from its day.
    const report = await journal.replay(webhooks, { deliveryId: 'old-2-1' });
    expect(report).toMatchObject({ matched: 1, handled: 1, skipped: [] });
    await journal.close();
  });

  test('prune drops the days that ended before the cutoff, whole: their events, attempts, bodies, claims and counts; the rest stays', async () => {
    const prefix = nextPrefix();
    const journal = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    const old = today - 3 * DAY_MS + 60_000;
    for (let index = 0; index < 5; index += 1) await journal.record(arrived(`old-${index}`, old + index));
    await journal.attempted([0, 1, 2, 3, 4].map((index) => attempt(`old-${index}`, 'handled')));
    await journal.record(arrived('yesterday', today - DAY_MS + 60_000));
    await journal.attempted([attempt('yesterday', 'handled')]);
    // A cutoff inside yesterday: the day three days ago goes, yesterday (not over before the cutoff) stays.
    expect(await journal.prune({ olderThan: new Date(today - DAY_MS / 2) })).toBe(5);
    expect((await journal.list()).map((event) => event.deliveryId)).toEqual(['yesterday']);
    expect(await dayTables(prefix)).not.toContain(dayName(prefix, 'events', old));
    const left = await db.query<{ table: string; n: number }>(
      `SELECT 'claims' AS table, count(*)::int AS n FROM ${prefix}claims UNION ALL SELECT 'attempts', count(*)::int FROM ${prefix}attempts
       UNION ALL SELECT 'deliveries', count(*)::int FROM ${prefix}deliveries UNION ALL SELECT 'hours', count(*)::int FROM ${prefix}hour_counts WHERE hour < '${new Date(today - 2 * DAY_MS).toISOString()}'`,
    );
    expect(left.rows).toEqual([
      { table: 'claims', n: 1 },
      { table: 'attempts', n: 1 },
      { table: 'deliveries', n: 1 },
      { table: 'hours', n: 0 },
    ]);
    // Nothing of a dropped day is left to say it was handled: a copy now is a new delivery (past the retention, as with any store's expiry).
    const { webhooks, runs } = receiverOn(journal);
    expect((await webhooks.receive(superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'old-1', ContextIdentifier: 'Cust1' } }))).status).toBe(200);
    expect(runs).toEqual(['old-1']);
    expect(await journal.prune({ olderThan: new Date(today - DAY_MS / 2) })).toBe(0);
    await journal.close();
  });

  test('a day dropped half-way by a process that died (detached, not dropped) is finished by the next prune', async () => {
    const prefix = nextPrefix();
    const journal = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    const old = today - 5 * DAY_MS;
    await journal.record(arrived('old-1', old + 1000));
    const name = dayName(prefix, 'events', old);
    await db.exec(`ALTER TABLE ${prefix}events DETACH PARTITION ${name}`);
    expect(await dayTables(prefix)).not.toContain(name);
    await journal.prune({ olderThan: new Date(today - DAY_MS) });
    const leftOver = await db.query(`SELECT relname FROM pg_class WHERE relname LIKE '${prefix}%\\_p${name.slice(-8)}'`);
    expect(leftOver.rows).toEqual([]);
    await journal.close();
  });

  test('an event claimed before its delivery is recorded (a claim on Postgres\' clock) is found, changed and dropped like any', async () => {
    const prefix = nextPrefix();
    const journal = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    expect(await journal.store.claim('superoffice', 'claimed-first')).toBe('claimed');
    expect((await journal.show('superoffice', 'claimed-first'))?.event.state).toBe('running');
    await journal.store.complete('superoffice', 'claimed-first');
    expect((await journal.show('superoffice', 'claimed-first'))?.event.state).toBe('handled');
    expect(await journal.store.claim('superoffice', 'claimed-first')).toBe('completed');
    const [row] = await journal.rows({ deliveryId: 'claimed-first' }, 1);
    expect(row!.received_at.getTime() % 1).toBe(0);
    expect((await db.query(`SELECT received_at = date_trunc('milliseconds', received_at) AS whole FROM ${prefix}claims`)).rows).toEqual([{ whole: true }]);
    await journal.close();
  });

  test('a delivery whose day was not made (a receiver clock days ahead, or every process stopped for days) makes it, and is kept', async () => {
    const prefix = nextPrefix();
    const journal = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    await journal.ready();
    const ahead = today + 9 * DAY_MS + 1000;
    expect(await dayTables(prefix)).not.toContain(dayName(prefix, 'events', ahead));
    await journal.record(arrived('ahead-1', ahead));
    await journal.attempted([attempt('ahead-1', 'handled')]);
    expect(await dayTables(prefix)).toContain(dayName(prefix, 'events', ahead));
    expect((await journal.show('superoffice', 'ahead-1'))?.event.state).toBe('handled');
    await journal.close();
  });
});
