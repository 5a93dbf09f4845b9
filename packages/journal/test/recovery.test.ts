import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice, type EventContext } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createJournal, pglite, type Database } from '@crmhooks/journal';
import { UnwrittenAttempts } from '../src/unwritten.js';

const secret = 'recovery-secret';
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

let tables = 0;
/**
 * Receivers on one set of tables, each with its own journal (as a process has): `crashable` ones
 * reach the database through a connection that can be cut, as a process killed mid-handler
 * stops renewing its claims and noting anything.
 */
function cluster(options: { leaseMs?: number; maxRecoveries?: number } = {}) {
  const prefix = `rec${(tables += 1)}_`;
  const runs: string[] = [];
  const receiver = (name: string, handler: (context: EventContext) => Promise<unknown> = async () => undefined) => {
    let alive = true;
    const real = pglite(db);
    const database: Database = {
      query: (sql, params) => (alive ? real.query(sql, params) : Promise.reject(new Error('the process is gone'))),
      exec: (script) => (alive ? real.exec(script) : Promise.reject(new Error('the process is gone'))),
    };
    const journal = createJournal({
      database,
      tablePrefix: prefix,
      pruneEveryMs: false,
      logger: false,
      leaseMs: options.leaseMs ?? 300,
      recovery: { everyMs: 60_000, maxRecoveries: options.maxRecoveries ?? 5 }, // looks driven by the test
    });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    webhooks.on('superoffice.relation.created', async (_event, context) => {
      runs.push(`${name} ${context.deliveryId}${context.replay ? ' (recovered)' : ''}`);
      await handler(context);
    });
    return { webhooks, journal, recovery: journal.recoveryFor(webhooks), kill: () => void (alive = false), revive: () => void (alive = true) };
  };
  return { receiver, runs };
}

describe('orphan recovery: what the journal recorded is handled when no retry comes', () => {
  test('a receiver dies mid-handler: another runs the event once its claim has lapsed, seen at two looks; a CRM copy meanwhile is not run twice', async () => {
    const { receiver, runs } = cluster();
    const dying = receiver('A', () => new Promise(() => undefined)); // never finishes: its process dies
    const live = receiver('B');
    void dying.webhooks.receive(relation('orphan-1'));
    await expect.poll(() => runs.length).toBe(1);
    dying.kill();
    expect(await live.recovery.recover()).toBe(0); // the claim is still leased
    await sleep(400); // the lease (300 ms) lapses: nobody renews it
    expect(await live.recovery.recover()).toBe(0); // first seen orphaned: its receiver may yet note it
    expect(await live.recovery.recover()).toBe(1);
    expect(runs).toEqual(['A orphan-1', 'B orphan-1 (recovered)']);
    const [event] = await live.journal.list({ deliveryId: 'orphan-1' });
    expect(event).toMatchObject({ state: 'handled', attempts: 1 });
    // The CRM's late copy is a duplicate now.
    expect((await live.webhooks.receive(relation('orphan-1'))).body).toEqual({ ok: true, duplicate: true });
    expect(await live.recovery.recover()).toBe(0);
    expect(runs).toHaveLength(2);
  });

  test('a receiver dies right after it answered, before its note was written: another recovers the event, which runs once more and ends handled', async () => {
    const { receiver, runs } = cluster();
    const dying = receiver('A');
    const live = receiver('B');
    expect((await dying.webhooks.receive(relation('answered-1'))).status).toBe(200);
    dying.kill(); // the answer does not wait for the note, whose batch goes at the next turn of the event loop
    await sleep(400);
    expect(await live.recovery.recover()).toBe(0);
    expect(await live.recovery.recover()).toBe(1);
    expect(runs).toEqual(['A answered-1', 'B answered-1 (recovered)']);
    const [event] = await live.journal.list({ deliveryId: 'answered-1' });
    expect(event).toMatchObject({ state: 'handled', attempts: 1 });
  });

  test('two receivers racing to recover the same orphan: it runs once', async () => {
    const { receiver, runs } = cluster();
    const dying = receiver('A', () => new Promise(() => undefined));
    const [b, c] = [receiver('B', () => sleep(100)), receiver('C', () => sleep(100))];
    void dying.webhooks.receive(relation('orphan-2'));
    await expect.poll(() => runs.length).toBe(1);
    dying.kill();
    await sleep(400);
    await Promise.all([b.recovery.recover(), c.recovery.recover()]);
    const recovered = await Promise.all([b.recovery.recover(), c.recovery.recover()]);
    expect(recovered.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(runs.filter((run) => run.endsWith('(recovered)'))).toHaveLength(1);
  });

  test('an event whose receiver dies on it every time is left failed after maxRecoveries, findable and replayable', async () => {
    const { receiver, runs } = cluster({ maxRecoveries: 2 });
    const first = receiver('A', () => new Promise(() => undefined));
    void first.webhooks.receive(relation('poison-1'));
    await expect.poll(() => runs.length).toBe(1);
    first.kill();
    for (let recovery = 1; recovery <= 2; recovery += 1) {
      // Each recovering receiver dies on it too.
      const next = receiver(`R${recovery}`, () => new Promise(() => undefined));
      await sleep(400);
      await next.recovery.recover();
      void next.recovery.recover();
      await expect.poll(() => runs.length).toBe(1 + recovery);
      next.kill();
    }
    const last = receiver('Z');
    await sleep(400);
    await last.recovery.recover();
    expect(await last.recovery.recover()).toBe(0);
    const [event] = await last.journal.list({ deliveryId: 'poison-1' });
    expect(event).toMatchObject({ state: 'failed', lastCode: 'recovery_failed' });
    expect(event!.lastMessage).toMatch(/Recovered 2 times without an outcome/);
    expect(runs.filter((run) => run.startsWith('Z'))).toEqual([]);
  });

  test('an outcome the database did not take is kept and written when it answers: the event is not left running, nor recovered', async () => {
    const { receiver, runs } = cluster();
    let cut: () => void = () => undefined;
    const a = receiver('A', async () => cut()); // the database goes away while the handler runs
    cut = a.kill;
    const b = receiver('B');
    expect((await a.webhooks.receive(relation('kept-1'))).status).toBe(200); // handled: its outcome cannot be noted
    await sleep(400); // its claim lapses meanwhile
    a.revive(); // the database answers again
    expect(await b.recovery.recover()).toBe(0); // seen orphaned once, maybe before A wrote it
    await sleep(1_200); // A writes what it kept within a second
    expect(await b.recovery.recover()).toBe(0);
    expect(await b.recovery.recover()).toBe(0);
    expect(runs).toEqual(['A kept-1']);
    const [event] = await b.journal.list({ deliveryId: 'kept-1' });
    expect(event).toMatchObject({ state: 'handled', attempts: 1, lastStatus: 200 });
  });

  test('a receiver never recovers an event whose outcome it holds itself, even before the database answers it', async () => {
    const { receiver, runs } = cluster();
    let cut: () => void = () => undefined;
    const a = receiver('A', async () => cut());
    cut = a.kill;
    expect((await a.webhooks.receive(relation('kept-2'))).status).toBe(200);
    await sleep(400);
    a.revive();
    // A looks at once, twice: it writes its kept outcome first, so there is no orphan.
    expect([await a.recovery.recover(), await a.recovery.recover()]).toEqual([0, 0]);
    expect(runs).toEqual(['A kept-2']);
  });
});

describe('outcomes kept while the database is down', () => {
  test('attempts kept while a flush is on its way are not taken for written: the next flush writes them', async () => {
    const written: string[][] = [];
    let release: () => void = () => undefined;
    const write = async (writes: readonly { readonly key: string }[]) => {
      written.push(writes.map((entry) => entry.key));
      if (written.length === 1) await new Promise<void>((resolve) => (release = resolve)); // the first flush is slow
    };
    const kept = new UnwrittenAttempts(write, { warn: () => undefined, error: () => undefined });
    const attempt = (deliveryId: string) => [{ provider: 'superoffice', deliveryId, name: 'superoffice.relation.created', result: 'handled' as const, status: 200, error: undefined, durationMs: 1, replay: false }];
    kept.keep(attempt('first'), 'k1', new Error('down'));
    const flushing = kept.flush();
    kept.keep(attempt('second'), 'k2', new Error('down')); // arrives while the first flush is written
    release();
    await flushing;
    expect([kept.has('superoffice', 'first'), kept.has('superoffice', 'second')]).toEqual([false, true]);
    await kept.flush();
    expect(written).toEqual([['k1'], ['k2']]);
    expect(kept.has('superoffice', 'second')).toBe(false);
    kept.stop();
  });
});
