import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createWebhooks, hubspot, PermanentError, superoffice, type EventContext } from '@crmhooks/core';
import { hubSpotAssociationSample, hubSpotDelivery, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createJournal, pglite, type Database } from '@crmhooks/journal';
import { tablesOfVersion } from './support/previous-release.js';

const secret = 'journal-test-secret';
const relation = (eventId: string, extra: object = {}) =>
  superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ...extra } });

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

let tables = 0;
/** A journal on its own tables of the shared PGlite, and a receiver that uses it as journal, store and dead-letter sink. */
function setup(options: { keepBodies?: boolean; secrets?: string[] } = {}) {
  const journal = createJournal({ database: pglite(db), tablePrefix: `j${(tables += 1)}_`, pruneEveryMs: false, ...options });
  const webhooks = createWebhooks({
    providers: [superoffice({ secret: options.secrets ?? secret }), hubspot({ clientSecret: secret })],
    journal,
    store: journal.store,
    deadLetters: journal,
    logger: false,
  });
  const runs: string[] = [];
  let bug = false;
  webhooks.on('superoffice.relation.created', (_event, context: EventContext) => {
    runs.push(`${context.deliveryId}${context.replay ? ' (replay)' : ''}`);
    if (bug) throw new Error('a bug in the handler');
  });
  webhooks.on('superoffice.relation.deleted', () => {
    throw new PermanentError('no such relation type here');
  });
  return { journal, webhooks, runs, setBug: (on: boolean) => void (bug = on) };
}


describe('the journal records', () => {
  test('each verified delivery with its attempts; a retry of it is one more attempt of the same event', async () => {
    const { journal, webhooks } = setup();
    const delivery = relation('r-1');
    expect((await webhooks.receive(delivery)).status).toBe(200);
    expect((await webhooks.receive(delivery)).status).toBe(200); // the CRM's copy
    const [event] = await journal.list();
    expect(event).toMatchObject({ provider: 'superoffice', deliveryId: 'r-1', name: 'superoffice.relation.created', state: 'handled', attempts: 2, lastStatus: 200 });
    expect(event!.signedAt?.toISOString()).toBe(JSON.parse(delivery.body).Timestamp);
    expect(event!.recordIds.length).toBe(2);
    const entry = await journal.show('superoffice', 'r-1');
    expect(entry!.attempts.map((attempt) => attempt.result)).toEqual(['handled', 'duplicate']);
    expect(entry!.delivery.body).toBe(delivery.body);
  });

  test('a signed delivery no store can key (U+0000 in its EventId, a 3,000-character id) is kept dead and answered 200, copies too; never refused on every retry', async () => {
    const { journal, webhooks, runs } = setup();
    for (const eventId of ['nul\u0000id', 'x'.repeat(3_000)]) {
      for (let copy = 0; copy < 2; copy += 1) {
        const outcome = await webhooks.receive(relation(eventId));
        expect([outcome.status, outcome.error?.code]).toEqual([200, 'event_parked']);
      }
    }
    expect(runs).toEqual([]);
    const dead = await journal.list({ state: 'dead' });
    expect(dead.map((event) => event.deliveryId)).toEqual([expect.stringMatching(/^unstorable:[0-9a-f]{40}$/), expect.stringMatching(/^unstorable:[0-9a-f]{40}$/)]);
    expect(dead.map((event) => event.lastMessage).join('\n')).toContain('(delivery "nul\\u0000id") cannot be processed');
    expect(dead.every((event) => event.tenant === 'Cust26759' && event.name === 'superoffice.relation.created')).toBe(true);
    // The next delivery is kept and handled as ever.
    expect((await webhooks.receive(relation('after-unstorable'))).status).toBe(200);
    expect(runs).toEqual(['after-unstorable']);
  });

  test('asked for an id holding U+0000 (which no row can hold), show and list find nothing instead of failing', async () => {
    const { journal } = setup();
    expect(await journal.show('superoffice', 'a\u0000b')).toBeUndefined();
    expect(await journal.list({ deliveryId: 'a\u0000b' })).toEqual([]);
    expect(await journal.list({ recordId: '\u0000' })).toEqual([]);
    expect(await journal.summary({ deliveryId: 'a\u0000b' })).toEqual([]);
  });

  test('list takes limit and after with the filter or as a second argument, the same way', async () => {
    const { journal, webhooks } = setup();
    for (let index = 0; index < 60; index += 1) await webhooks.receive(relation(`page-${index}`));
    expect(await journal.list({ state: 'handled', limit: 55 })).toHaveLength(55);
    expect(await journal.list({ state: 'handled' }, { limit: 55 })).toHaveLength(55);
    const [first] = await journal.list({ limit: 1 });
    const rest = await journal.list({ limit: 1000, after: first });
    expect([rest.length, rest.some((event) => event.deliveryId === first!.deliveryId)]).toEqual([59, false]);
  });

  test('never a forged or malformed request', async () => {
    const { journal, webhooks } = setup();
    await webhooks.receive(superOfficeDelivery({ secret: 'wrong', payload: superOfficeSample('relation.created') }));
    await webhooks.receive(superOfficeDelivery({ secret, payload: '{"Event":' }));
    expect(await journal.summary()).toEqual([]);
  });

  test('shows no signature: the signature headers are redacted', async () => {
    const { journal, webhooks } = setup();
    const delivery = relation('r-2');
    await webhooks.receive(delivery);
    const entry = await journal.show('superoffice', 'r-2');
    expect(entry!.delivery.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'x-superoffice-signature': '[redacted]' });
    expect(JSON.stringify(entry)).not.toContain(delivery.headers['x-superoffice-signature']);
  });

  test('with keepBodies: false, what arrived when and what became of it, but no body', async () => {
    const { journal, webhooks } = setup({ keepBodies: false });
    await webhooks.receive(relation('r-3'));
    const entry = await journal.show('superoffice', 'r-3');
    expect([entry!.event.state, entry!.delivery.body]).toEqual(['handled', null]);
    const report = await journal.replay(webhooks, { deliveryId: 'r-3' });
    expect(report).toMatchObject({ matched: 1, handled: 0, skipped: [{ deliveryId: 'r-3', code: 'body_not_kept', reason: expect.stringMatching(/body was not kept/) }] });
  });

  test('states: failed (with the error), dead (a permanent failure, parked), found by state, event, record and time', async () => {
    const { journal, webhooks, setBug } = setup();
    setBug(true);
    expect((await webhooks.receive(relation('r-4'))).status).toBe(500);
    setBug(false);
    await webhooks.receive(relation('r-5', { FieldValues: { ...superOfficeSample('relation.created').FieldValues, source_record: 4242 } }));
    const deleted = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.deleted'), EventId: 'r-6' } });
    expect((await webhooks.receive(deleted)).status).toBe(200); // parked: SuperOffice must stop retrying
    expect((await journal.list({ state: 'dead' })).map((event) => [event.deliveryId, event.lastCode])).toEqual([['r-6', 'event_parked']]);
    const failed = await journal.list({ state: 'failed' });
    expect(failed.map((event) => [event.deliveryId, event.lastStatus, event.lastCode])).toEqual([['r-4', 500, 'handler_failed']]);
    expect(failed[0]!.lastMessage).toMatch(/a bug in the handler/);
    expect((await journal.list({ recordId: '4242' })).map((event) => event.deliveryId)).toEqual(['r-5']);
    expect((await journal.list({ event: 'superoffice.relation.deleted' })).map((event) => event.deliveryId)).toEqual(['r-6']);
    expect(await journal.list({ event: 'superoffice.relation.changed' })).toEqual([]);
    expect(await journal.list({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect((await journal.list({ until: new Date(Date.now() + 60_000), provider: 'superoffice' })).length).toBe(3);
  });

  test('lists newest first, in pages that neither skip nor repeat an event (a HubSpot batch shares one arrival time)', async () => {
    const { journal, webhooks } = setup();
    const url = 'https://hooks.example.com/crm';
    const events = Array.from({ length: 7 }, (_, index) => hubSpotAssociationSample({ eventId: 100 + index }));
    await webhooks.receive({ ...hubSpotDelivery({ secret, url, events }), method: 'POST', url });
    const seen: string[] = [];
    let page = await journal.list({}, { limit: 3 });
    while (page.length > 0) {
      seen.push(...page.map((event) => event.deliveryId));
      const last = page.at(-1)!;
      page = await journal.list({}, { limit: 3, after: { receivedAt: last.receivedAt, provider: last.provider, deliveryId: last.deliveryId } });
    }
    expect(seen.length).toBe(7);
    expect(new Set(seen).size).toBe(7);
  });
});

describe('writes arriving together', () => {
  /** The journal on the shared PGlite, counting the statements that write deliveries and attempts. */
  function counted() {
    const database = pglite(db);
    const counter = { statements: 0 };
    const journal = createJournal({
      database: { ...database, query: (sql, params) => ((counter.statements += sql.includes('_write"(') ? 1 : 0), database.query(sql, params)) },
      tablePrefix: `j${(tables += 1)}_`,
      pruneEveryMs: false,
    });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    const runs: string[] = [];
    webhooks.on('superoffice.relation.created', (_event, context) => void runs.push(context.deliveryId));
    return { journal, webhooks, runs, counter };
  }

  test('go in one statement, and each delivery, sent twice at once, is handled once', async () => {
    const { journal, webhooks, runs, counter } = counted();
    await journal.ready();
    const deliveries = Array.from({ length: 30 }, (_, index) => relation(`together-${index}`));
    const answers = await Promise.all([...deliveries, ...deliveries].map((delivery) => webhooks.receive(delivery)));
    expect(runs.sort()).toEqual(deliveries.map((_, index) => `together-${index}`).sort());
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(30);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    expect((await journal.summary()).map(({ state, count }) => [state, count])).toEqual([['handled', 30]]);
    // 60 deliveries and their attempts (the copies' claims are the store's own statements).
    expect(counter.statements).toBeGreaterThan(0);
    expect(counter.statements).toBeLessThan(10);
  });

  test("a record answered after its lease lapsed claims nothing in memory: another receiver's claim since then stands", { timeout: 20_000 }, async () => {
    // Receiver A's write commits, but its answer comes 3 s later (a slow network, a stalled event loop);
    // the claim Postgres gave it lapses after 300 ms, and receiver B takes the retry meanwhile.
    let committed: (() => void) | undefined;
    const slowAnswers: Database = {
      query: async (sql, params) => {
        const result = await pglite(db).query(sql, params);
        if (sql.includes('claimed_provider') && committed) {
          committed();
          committed = undefined; // only the record's answer is late
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        }
        return result as never;
      },
      exec: (script) => pglite(db).exec(script),
    };
    const prefix = `j${(tables += 1)}_`;
    const runs: string[] = [];
    const running: (() => void)[] = [];
    const finish = () => running.forEach((resolve) => resolve());
    const receiverOn = (database: Database, name: string) => {
      const journal = createJournal({ database, tablePrefix: prefix, pruneEveryMs: false, leaseMs: 300 });
      const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, storeTimeoutMs: 10_000, logger: false });
      webhooks.on('superoffice.relation.created', async () => {
        runs.push(name);
        await new Promise<void>((resolve) => running.push(resolve));
      });
      return { journal, webhooks };
    };
    const b = receiverOn(pglite(db), 'B');
    await b.journal.ready();
    const a = receiverOn(slowAnswers, 'A');
    await a.journal.ready();
    const wasCommitted = new Promise<void>((resolve) => (committed = resolve));
    const first = a.webhooks.receive(relation('late-1'));
    await wasCommitted;
    await new Promise((resolve) => setTimeout(resolve, 600));
    const retry = b.webhooks.receive(relation('late-1'));
    await vi.waitUntil(() => runs.length === 1, { timeout: 5_000 });
    // A's answer arrives while B's handler runs: A must not run it too.
    expect((await first).error?.code).toBe('delivery_in_progress');
    finish();
    expect((await retry).status).toBe(200);
    expect(runs).toEqual(['B']);
  });

  test('a write that committed but whose answer was lost (the connection dropped): its retry claims and notes nothing twice', async () => {
    let answersToLose = 2; // of first tries: the delivery's record, then its attempt
    const droppingAnswers: Database = {
      query: async (sql, params) => {
        const result = await pglite(db).query(sql, params);
        const retry = params?.[3] === true;
        if (sql.includes('claimed_provider') && !retry && answersToLose > 0) {
          answersToLose -= 1;
          throw new Error('Connection terminated unexpectedly');
        }
        return result as never;
      },
      exec: (script) => pglite(db).exec(script),
    };
    const journal = createJournal({ database: droppingAnswers, tablePrefix: `j${(tables += 1)}_`, pruneEveryMs: false });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    const runs: string[] = [];
    webhooks.on('superoffice.relation.created', (_event, context) => void runs.push(context.deliveryId));
    // Answered at once, not "in progress" until the lease its lost first try took lapses.
    const outcome = await webhooks.receive(relation('lost-1'));
    expect([outcome.status, outcome.error?.message]).toEqual([200, undefined]);
    expect(runs).toEqual(['lost-1']);
    const entry = await journal.show('superoffice', 'lost-1');
    expect(answersToLose).toBe(0);
    expect([entry!.event.state, entry!.event.attempts, entry!.attempts.length]).toEqual(['handled', 1, 1]);
  });

  test("the answer does not wait for the attempt's note; the journal's reads and the receiver's close() do", async () => {
    let openGate = () => {};
    let gate = Promise.resolve();
    const closeGate = () => (gate = new Promise((resolve) => (openGate = resolve)));
    const heldNotes: Database = {
      query: async (sql, params) => {
        if (sql.includes('claimed_provider') && params?.[1] !== '[]') await gate;
        return pglite(db).query(sql, params);
      },
      exec: (script) => pglite(db).exec(script),
    };
    const journal = createJournal({ database: heldNotes, tablePrefix: `j${(tables += 1)}_`, pruneEveryMs: false });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    webhooks.on('superoffice.relation.created', () => undefined);
    const settledYet = async (promise: Promise<unknown>) => {
      let settled = false;
      void promise.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      return settled;
    };

    closeGate();
    expect((await webhooks.receive(relation('held-1'))).status).toBe(200);
    const shown = journal.show('superoffice', 'held-1');
    expect(await settledYet(shown)).toBe(false);
    openGate();
    expect((await shown)!.event.state).toBe('handled');

    closeGate();
    expect((await webhooks.receive(relation('held-2'))).status).toBe(200);
    const closing = webhooks.close();
    expect(await settledYet(closing)).toBe(false);
    openGate();
    await closing;
    expect((await journal.show('superoffice', 'held-2'))!.event.state).toBe('handled');
  });

  test('close() waits at most 5 s for notes the database never answers (a connection that died without a word), then says what that leaves', { timeout: 30_000 }, async () => {
    const neverAnswered: Database = {
      query: (sql, params) => (sql.includes('claimed_provider') && params?.[1] !== '[]' ? new Promise<never>(() => undefined) : pglite(db).query(sql, params)),
      exec: (script) => pglite(db).exec(script),
    };
    const errors: string[] = [];
    const logger = { warn: () => undefined, error: (fields: { code?: string }, message: string) => void errors.push(`${fields.code}: ${message}`) };
    const journal = createJournal({ database: neverAnswered, tablePrefix: `j${(tables += 1)}_`, pruneEveryMs: false, logger });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    webhooks.on('superoffice.relation.created', () => undefined);
    expect((await webhooks.receive(relation('unanswered-1'))).status).toBe(200);
    await webhooks.close();
    await journal.close();
    expect(errors).toEqual([
      'journal_attempts_lost: The journal closed while the database had not answered the notes of an attempt within 5 s; if they never arrive, those events show "running" with a lapsed claim, and a receiver recovers them.',
    ]);
  });

  test('a record id Postgres cannot store (U+0000) or index (3,000 characters) is left out of the record index; the delivery is kept and handled', async () => {
    const { journal, webhooks, runs } = counted();
    const sample = superOfficeSample('relation.created');
    // Random, so Postgres cannot compress it under its index entry limit (about 2,700 bytes).
    const long = randomBytes(3_000).toString('base64').slice(0, 3_000);
    for (const [id, recordId] of [['nul-record', 'a\u0000b'], ['long-record', long]] as const) {
      const delivery = superOfficeDelivery({ secret, payload: { ...sample, EventId: id, FieldValues: { ...sample.FieldValues, source_record: recordId } } });
      expect((await webhooks.receive(delivery)).status).toBe(200);
      const [event] = await journal.list({ deliveryId: id });
      expect(event?.recordIds).toEqual([String(sample.FieldValues!.destination_record)]);
    }
    expect(runs).toEqual(['nul-record', 'long-record']);
  });

  test('with the replay window off, a signed time no Date or Postgres holds is kept as unknown, not refused on every retry', async () => {
    const journal = createJournal({ database: pglite(db), tablePrefix: `j${(tables += 1)}_`, pruneEveryMs: false });
    const webhooks = createWebhooks({ providers: [superoffice({ secret, replayWindowMs: false }), hubspot({ clientSecret: secret, timestampToleranceMs: Number.POSITIVE_INFINITY })], journal, store: journal.store, logger: false });
    const ancient = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'ancient', Timestamp: '-010000-01-01T00:00:00.000Z' } });
    expect((await webhooks.receive(ancient)).status).toBe(200);
    const url = 'https://hooks.example.com/crm';
    const far = hubSpotDelivery({ secret, url, timestamp: 1e20, events: [hubSpotAssociationSample({ eventId: 77 })] });
    const farOutcome = await webhooks.receive({ ...far, method: 'POST', url });
    expect([farOutcome.status, farOutcome.error?.message]).toEqual([200, undefined]);
    expect((await journal.list({})).map((event) => event.signedAt)).toEqual([null, null]);
  });

  test('a write Postgres refuses fails alone, not the others sent with it', async () => {
    const { journal, webhooks, runs } = counted();
    await journal.ready();
    // Postgres' jsonb refuses U+0000: here in a header given to receive() (Node's HTTP parser lets none through).
    const withNul = (delivery: ReturnType<typeof relation>) => ({ ...delivery, headers: { ...delivery.headers, 'content-type': 'application/json\u0000' } });
    const answers = await Promise.all([relation('fine-1'), withNul(relation('bad-1')), relation('fine-2')].map((delivery) => webhooks.receive(delivery)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 503, 200]);
    expect(runs.sort()).toEqual(['fine-1', 'fine-2']);
  });
});

describe('when something went wrong: replay', () => {
  test('a handler bug fails 200 deliveries; fixed, the failed ones are replayed: each handled once more, the journal says so', async () => {
    const { journal, webhooks, runs, setBug } = setup();
    setBug(true);
    for (let index = 0; index < 200; index += 1) await webhooks.receive(relation(`bug-${index}`));
    await webhooks.receive(relation('fine-before')); // still failing: 201 failed
    setBug(false);
    await webhooks.receive(relation('fine-after'));
    expect((await journal.summary()).map(({ state, count }) => [state, count])).toEqual([
      ['failed', 201],
      ['handled', 1],
    ]);
    runs.length = 0;
    const progress: number[] = [];
    const report = await journal.replay(webhooks, { state: 'failed' }, { onProgress: (done) => progress.push(done) });
    expect(report).toEqual({ matched: 201, handled: 201, failed: 0, skipped: [] });
    expect(progress.at(-1)).toBe(201);
    expect(runs.length).toBe(201);
    expect(new Set(runs).size).toBe(201);
    expect(runs.every((run) => run.endsWith('(replay)'))).toBe(true);
    expect((await journal.summary()).map(({ state, count }) => [state, count])).toEqual([['handled', 202]]);
    const entry = await journal.show('superoffice', 'bug-7');
    expect(entry!.attempts.map(({ result, replay }) => [result, replay])).toEqual([
      ['failed', false],
      ['handled', true],
    ]);
    // The 500 it was first answered no longer stands as the last answer of a handled event.
    expect([entry!.event.state, entry!.event.lastStatus, entry!.event.lastCode]).toEqual(['handled', null, null]);
    // The CRM's own late retry is now a copy: not run a third time.
    expect((await webhooks.receive(relation('bug-7'))).body).toEqual({ ok: true, duplicate: true });
  });

  test('never beside the event being handled: a replay during the CRM copy, or two at once, lists it as skipped', async () => {
    const journal = createJournal({ database: pglite(db), tablePrefix: `j${(tables += 1)}_`, pruneEveryMs: false });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    const runs: string[] = [];
    let finish = () => {};
    webhooks.on('superoffice.relation.created', async (_event, context) => {
      runs.push(context.replay ? 'replay' : 'copy');
      await new Promise<void>((resolve) => (finish = resolve));
    });
    const busy = { provider: 'superoffice', deliveryId: 'busy-1', code: 'in_progress', reason: expect.stringMatching(/being handled right now/) };
    const live = webhooks.receive(relation('busy-1'));
    await vi.waitUntil(() => runs.length === 1, { timeout: 5_000 });
    expect(await journal.replay(webhooks, { deliveryId: 'busy-1' })).toEqual({ matched: 1, handled: 0, failed: 0, skipped: [busy] });
    finish();
    expect((await live).status).toBe(200);
    const first = journal.replay(webhooks, { deliveryId: 'busy-1' });
    await vi.waitUntil(() => runs.length === 2, { timeout: 5_000 });
    expect(await journal.replay(webhooks, { deliveryId: 'busy-1' })).toEqual({ matched: 1, handled: 0, failed: 0, skipped: [busy] });
    finish();
    expect(await first).toEqual({ matched: 1, handled: 1, failed: 0, skipped: [] });
    expect(runs).toEqual(['copy', 'replay']);
    const entry = await journal.show('superoffice', 'busy-1');
    expect(entry!.event.state).toBe('handled');
    expect(entry!.attempts.map(({ result, replay }) => [result, replay])).toEqual([
      ['in_progress', true],
      ['handled', false],
      ['in_progress', true],
      ['handled', true],
    ]);
  });

  test('a dry run runs nothing; a rotated secret is said to no longer verify', async () => {
    const { journal, webhooks, runs } = setup();
    await webhooks.receive(relation('rot-1'));
    runs.length = 0;
    expect(await journal.replay(webhooks, {}, { dryRun: true })).toEqual({
      matched: 1,
      handled: 0,
      failed: 0,
      skipped: [],
      wouldRun: [{ provider: 'superoffice', deliveryId: 'rot-1', name: 'superoffice.relation.created' }],
    });
    expect(runs).toEqual([]);
    const rotated = createWebhooks({ providers: [superoffice({ secret: 'rotated' })], journal, store: journal.store, logger: false });
    const report = await journal.replay(rotated, {});
    expect(report.skipped).toEqual([{ provider: 'superoffice', deliveryId: 'rot-1', code: 'signature_invalid', reason: expect.stringMatching(/^signature_invalid: /) }]);
  });
});

describe('migrations', () => {
  test('run again where the tables were dropped by hand but the function was left: they are created anew', async () => {
    const first = createJournal({ database: pglite(db), tablePrefix: 'dropped_', pruneEveryMs: false });
    await first.ready();
    await db.exec('DROP TABLE dropped_events, dropped_deliveries, dropped_attempts, dropped_claims, dropped_versions');
    const second = createJournal({ database: pglite(db), tablePrefix: 'dropped_', pruneEveryMs: false });
    await expect(second.ready()).resolves.toBeUndefined();
    expect(await second.summary()).toEqual([]);
  });

  test('version 2 replaces the attempts function of version 1, and writes work after it', async () => {
    const prefix = `j${(tables += 1)}_`;
    // As version 1 left a database: its own function, no batch writer.
    await tablesOfVersion(db, prefix, 1);
    await db.exec(`CREATE FUNCTION ${prefix}note_attempts(attempts jsonb) RETURNS void LANGUAGE sql AS 'SELECT';`);
    const upgraded = createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false });
    await upgraded.ready();
    const functions = await db.query<{ proname: string }>(`SELECT proname FROM pg_proc WHERE proname LIKE '${prefix}%' ORDER BY 1`);
    expect(functions.rows.map((row) => row.proname)).toEqual(
      ['change', 'claim', 'count_change', 'fold_counts', 'make_partitions', 'park', 'write'].map((name) => `${prefix}${name}`),
    );
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal: upgraded, store: upgraded.store, logger: false });
    expect((await webhooks.receive(relation('after-upgrade'))).status).toBe(200);
    await upgraded.close();
  });

  test("version 3 leaves version 2's writer in place for a rolling deploy; version 8, whose tables no earlier receiver can write, drops it", async () => {
    const prefix = `j${(tables += 1)}_`;
    // As version 2 left a database: its writer took three arguments (here one that inserts an attempt row as it did).
    await tablesOfVersion(db, prefix, 2);
    await db.exec(`DROP FUNCTION ${prefix}write;
      CREATE FUNCTION ${prefix}write(deliveries jsonb, attempts jsonb, lease_ms double precision)
        RETURNS TABLE (claimed_provider text, claimed_id text) LANGUAGE sql AS $$
        INSERT INTO ${prefix}attempts (provider, delivery_id, at, result, duration_ms, replay)
        VALUES ('superoffice', 'by-version-2', now(), 'handled', 1, false) RETURNING provider, delivery_id $$;`);
    await tablesOfVersion(db, prefix, 3);
    const arities = async () => (await db.query<{ pronargs: number }>(`SELECT pronargs FROM pg_proc WHERE proname = '${prefix}write' ORDER BY 1`)).rows.map((row) => row.pronargs);
    expect(await arities()).toEqual([3, 4]);
    const written = await db.query(`SELECT * FROM ${prefix}write('[]'::jsonb, '[]'::jsonb, 3000)`);
    expect(written.rows).toEqual([{ claimed_provider: 'superoffice', claimed_id: 'by-version-2' }]);
    await createJournal({ database: pglite(db), tablePrefix: prefix, pruneEveryMs: false }).ready();
    expect(await arities()).toEqual([4]);
  });
});

describe('retention', () => {
  test("prune({ tenant }) deletes that tenant's events, attempts and bodies older than the cutoff, in batches, and keeps the rest", async () => {
    const { journal, webhooks } = setup();
    for (let index = 0; index < 12; index += 1) await webhooks.receive(relation(`old-${index}`));
    const cutoff = new Date(Date.now() + 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await webhooks.receive(relation('new-1'));
    const tenant = (await journal.list({}, { limit: 1 }))[0]!.tenant!;
    expect(await journal.prune({ olderThan: cutoff, batchSize: 5, tenant: 'someone else' })).toBe(0);
    expect(await journal.prune({ olderThan: cutoff, batchSize: 5, tenant })).toBe(12);
    expect((await journal.list()).map((event) => event.deliveryId)).toEqual(['new-1']);
    expect(await journal.show('superoffice', 'old-3')).toBeUndefined();
    expect((await journal.show('superoffice', 'new-1'))!.attempts.length).toBe(1);
    // Its claim went with it: a copy now is handled as new.
    expect((await webhooks.receive(relation('old-3'))).status).toBe(200);
    expect((await journal.show('superoffice', 'old-3'))?.event.attempts).toBe(1);
  });
});
