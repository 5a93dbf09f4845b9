import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, PermanentError, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createJournal, pglite, type Database, type Journal } from '@crmhooks/journal';
import { arrivedAs, attemptAt, tablesOfVersion, withoutCounts, writeAsVersion7 } from './support/previous-release.js';

const HOUR_MS = 3_600_000;
const SECRETS: Record<string, string> = { Cust1: 'secret-of-cust1', Cust2: 'secret-of-cust2', Cust3: 'secret-of-cust3' };
const relation = (tenant: string, eventId: string) =>
  superOfficeDelivery({ secret: SECRETS[tenant]!, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant } });
/** Where the inspector's last 24 hours begin: the hour 23 hours before this one. */
const lastDay = () => new Date((Math.floor(Date.now() / HOUR_MS) - 23) * HOUR_MS);
/** An `until` no count kept by the hour can answer: the journal counts the events themselves. */
const counted = { until: new Date('2999-01-01T00:00:00.001Z') };

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

let tables = 0;
function setup() {
  const prefix = `jc${(tables += 1)}_`;
  // Every statement the journal sends, to see which tables answered.
  const statements: string[] = [];
  const database = pglite(db);
  const watched: Database = { query: (sql, params) => (statements.push(sql), database.query(sql, params)), exec: (script) => database.exec(script) };
  const journal = createJournal({ database: watched, tablePrefix: prefix, pruneEveryMs: false });
  const webhooks = createWebhooks({ providers: [superoffice({ secret: (tenant) => SECRETS[tenant] })], journal, store: journal.store, deadLetters: journal, logger: false });
  const outcome = { fail: false, park: false };
  webhooks.on('association.created', () => {
    if (outcome.park) throw new PermanentError('cannot ever be handled');
    if (outcome.fail) throw new Error('a bug in the handler');
  });
  return { journal, webhooks, prefix, outcome, statements };
}

/** The last day's counts read from the kept counts, and counted from the events: they must agree. */
async function expectCountsTrue(journal: Journal, statements: string[], prefix: string) {
  const since = lastDay();
  statements.length = 0;
  const kept = { hours: await journal.countsOverTime({ since }, HOUR_MS), tenants: await journal.tenantSummary({ since }) };
  expect(statements.some((sql) => sql.includes(`${prefix}hour_counts`))).toBe(true);
  expect(statements.some((sql) => sql.includes(`${prefix}tenant_day_counts`))).toBe(true);
  // The events themselves are read only for those running now (few: a claim lasts seconds).
  const readEvents = statements.filter((sql) => sql.includes(`${prefix}events`));
  expect(readEvents.every((sql) => /FROM \S*events WHERE state = 'running'/.test(sql.replace(/"/g, '')))).toBe(true);
  const live = { hours: await journal.countsOverTime({ since, ...counted }, HOUR_MS), tenants: await journal.tenantSummary({ since, ...counted }) };
  expect(kept).toEqual(live);
  for (const tenant of ['Cust1', 'Cust2', 'Cust3']) {
    expect(await journal.countsOverTime({ since, tenant }, HOUR_MS)).toEqual(await journal.countsOverTime({ since, tenant, ...counted }, HOUR_MS));
    expect(await journal.tenantSummary({ since, tenant })).toEqual(await journal.tenantSummary({ since, tenant, ...counted }));
  }
  return kept;
}

describe("the last day's counts, kept as events change", () => {
  test('agree with the events through every change: handled, failed, replayed, parked, copies, pruned, forgotten', async () => {
    const { journal, webhooks, prefix, outcome, statements } = setup();
    for (let index = 0; index < 5; index += 1) await webhooks.receive(relation('Cust1', `c1-${index}`));
    outcome.fail = true;
    for (let index = 0; index < 3; index += 1) expect((await webhooks.receive(relation('Cust2', `c2-${index}`))).status).toBe(500);
    outcome.fail = false;
    outcome.park = true;
    expect((await webhooks.receive(relation('Cust3', 'c3-0'))).status).toBe(200);
    outcome.park = false;
    await webhooks.receive(relation('Cust1', 'c1-0')); // a copy

    const first = await expectCountsTrue(journal, statements, prefix);
    expect(first.tenants).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 5, states: { handled: 5 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 3, states: { failed: 3 } },
      { provider: 'superoffice', tenant: 'Cust3', total: 1, states: { dead: 1 } },
    ]);
    expect(first.hours.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(9);

    // Changes not folded yet are counted too: a retry succeeds, a replay runs, a tenant is forgotten.
    expect((await webhooks.receive(relation('Cust2', 'c2-0'))).status).toBe(200);
    await journal.replay(webhooks, { tenant: 'Cust2', state: 'failed' });
    await journal.forget({ provider: 'superoffice', tenant: 'Cust3' });
    const second = await expectCountsTrue(journal, statements, prefix);
    expect(second.tenants).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 5, states: { handled: 5 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 3, states: { handled: 3 } },
    ]);

    expect(await journal.prune({ olderThan: new Date(Date.now() + 1000), tenant: 'Cust1' })).toBe(5);
    const third = await expectCountsTrue(journal, statements, prefix);
    expect(third.tenants).toEqual([{ provider: 'superoffice', tenant: 'Cust2', total: 3, states: { handled: 3 } }]);
    // Pruning left no empty hours behind.
    const empty = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${prefix}tenant_hour_counts WHERE count = 0`);
    expect(empty.rows).toEqual([{ n: 0 }]);
  });

  test('an hour leaving the window leaves its counts; a window not moved for a day is counted afresh', async () => {
    const { journal, webhooks, prefix, statements } = setup();
    // Events of the hour just before the window, and of the window's first hour.
    const windowStart = lastDay();
    await webhooks.receive(relation('Cust1', 'now-1'));
    await db.query(
      `INSERT INTO ${prefix}events (provider, tenant, delivery_id, name, state, received_at, updated_at)
       VALUES ('superoffice', 'Cust1', 'old-1', 'superoffice.relation.created', 'handled', $1, now()),
              ('superoffice', 'Cust2', 'old-2', 'superoffice.relation.created', 'failed', $1, now()),
              ('superoffice', 'Cust2', 'edge-1', 'superoffice.relation.created', 'handled', $2, now())`,
      [new Date(windowStart.getTime() - HOUR_MS / 2), windowStart],
    );
    await expectCountsTrue(journal, statements, prefix);
    // As a fold an hour ago left them: the window began an hour earlier and held that hour's events.
    await db.exec(`
      UPDATE ${prefix}counts_since SET since = since - interval '1 hour';
      INSERT INTO ${prefix}tenant_day_counts AS c
        SELECT provider, tenant, state, count FROM ${prefix}tenant_hour_counts WHERE hour = (SELECT since FROM ${prefix}counts_since)
        ON CONFLICT (provider, tenant, state) DO UPDATE SET count = c.count + EXCLUDED.count;`);
    const moved = await expectCountsTrue(journal, statements, prefix);
    expect(moved.tenants).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 1, states: { handled: 1 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 1, states: { handled: 1 } },
    ]);
    // Not folded for three days, with counts that are wrong by now: counted afresh.
    await db.exec(`
      UPDATE ${prefix}counts_since SET since = since - interval '3 days';
      UPDATE ${prefix}tenant_day_counts SET count = count + 40;`);
    expect((await expectCountsTrue(journal, statements, prefix)).tenants).toEqual(moved.tenants);
  });

  test('tables of version 8 (changes counted after the update) migrate to counting before it: what changes next is counted once', async () => {
    const prefix = `jc${(tables += 1)}_`;
    await tablesOfVersion(db, prefix, 8);
    // Written by a receiver of version 8 (its writer is today's): three events, one handled, one failed, one still running.
    const now = Date.now();
    const key = (name: string) => `${prefix}${name}`;
    for (const [index, tenant] of ['Cust1', 'Cust2', 'Cust3'].entries()) {
      await writeAsVersion7(db, prefix, [{ delivery: arrivedAs(relation(tenant, `v8-${index}`), now, tenant), key: key(`record-${index}`) }]);
    }
    await writeAsVersion7(db, prefix, [{ attempts: [attemptAt('v8-0', 'handled', 'Cust1'), attemptAt('v8-1', 'failed', 'Cust2')], key: key('attempts') }]);

    const journal = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    await journal.attempted([attemptAt('v8-2', 'handled', 'Cust3'), attemptAt('v8-1', 'handled', 'Cust2')]);
    expect((await journal.list({})).map((event) => [event.deliveryId, event.state])).toEqual(
      expect.arrayContaining([['v8-0', 'handled'], ['v8-1', 'handled'], ['v8-2', 'handled']]),
    );
    expect(await journal.tenantSummary({ since: lastDay() })).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 1, states: { handled: 1 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 1, states: { handled: 1 } },
      { provider: 'superoffice', tenant: 'Cust3', total: 1, states: { handled: 1 } },
    ]);
    expect(await journal.countsOverTime({ since: lastDay() }, HOUR_MS)).toEqual(await journal.countsOverTime({ since: lastDay(), ...counted }, HOUR_MS));
    await journal.close();
  });

  test('tables of the release before, with events in them, are counted once when they migrate', async () => {
    const { journal, webhooks, prefix, outcome } = setup();
    await webhooks.receive(relation('Cust1', 'before-1'));
    outcome.fail = true;
    await webhooks.receive(relation('Cust2', 'before-2'));
    outcome.fail = false;
    await db.exec(withoutCounts(prefix));
    await journal.close();

    const again = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    expect(await again.tenantSummary({ since: lastDay() })).toEqual([
      { provider: 'superoffice', tenant: 'Cust1', total: 1, states: { handled: 1 } },
      { provider: 'superoffice', tenant: 'Cust2', total: 1, states: { failed: 1 } },
    ]);
    expect(await again.countsOverTime({ since: lastDay() }, HOUR_MS)).toEqual(await again.countsOverTime({ since: lastDay(), ...counted }, HOUR_MS));
    await again.close();
  });
});
