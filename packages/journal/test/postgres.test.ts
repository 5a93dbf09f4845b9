import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateHighLevelKeyPair, highLevelDelivery, highLevelSample, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createJournal, postgres, type Journal } from '@crmhooks/journal';
import { post } from '../../../test/support/http.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { startFixture, stopFixture } from '../../../test/support/processes.js';

const secret = 'journal-pg-secret';
const delivery = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixture = fileURLToPath(new URL('./fixtures/receiver.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

// The processes run the built packages; the root test script builds first (never skipped in CI).
describe.runIf(postgresAvailable() && (built || process.env.CI))('receivers sharing one Postgres, no Redis (real processes)', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let journal: Journal;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url });
    journal = createJournal({ database: postgres(pool), pruneEveryMs: false });
    await journal.ready();
  });
  afterAll(async () => {
    await journal?.close();
    await pool?.end();
    await server?.stop();
  });
  const runsOf = async (deliveryId: string) =>
    (await pool.query<{ pid: number; finished: boolean }>('SELECT pid, finished FROM runs WHERE delivery_id = $1', [deliveryId])).rows;
  const start = async (handler = 'quick') => {
    const { child, message } = await startFixture(fixture, { DATABASE_URL: server.url, SECRET: secret, HANDLER: handler });
    return { child, url: message.url };
  };

  test('two receivers, every delivery sent to both at once and again: each handled once', async () => {
    const receivers = await Promise.all([start(), start()]);
    try {
      const ids = Array.from({ length: 150 }, (_, index) => `shared-${index}`);
      const answers = await Promise.all(
        ids.flatMap((id) => [post(receivers[0]!.url, delivery(id)), post(receivers[1]!.url, delivery(id)), post(receivers[index(id) % 2]!.url, delivery(id))]),
      );
      // A copy that meets the first still running is answered 409 (SuperOffice retries it); the retry finds it handled.
      expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
      for (const id of ids.filter((_, position) => answers.slice(position * 3, position * 3 + 3).some((answer) => answer.status === 409))) {
        expect((await post(receivers[0]!.url, delivery(id))).status).toBe(200);
      }
      const runs = await pool.query<{ delivery_id: string; count: string }>("SELECT delivery_id, count(*) FROM runs WHERE delivery_id LIKE 'shared-%' GROUP BY delivery_id");
      expect(runs.rows.length).toBe(150);
      expect(runs.rows.filter((row) => row.count !== '1')).toEqual([]);
      expect(await journal.summary({ state: 'handled' })).toEqual([{ provider: 'superoffice', state: 'handled', count: 150 }]);
    } finally {
      await Promise.all(receivers.map((receiver) => stopFixture(receiver.child)));
    }
  });

  test('SIGKILL mid-delivery: the journal shows the delivery and its lapsed claim; SuperOffice\'s retry 4 s later completes it, once', async () => {
    const [dying, survivor] = await Promise.all([start('hang'), start()]);
    try {
      const first = post(dying.url, delivery('killed-1')).catch(() => 'connection lost');
      await expect.poll(async () => (await runsOf('killed-1')).length, { timeout: 30_000, interval: 20 }).toBe(1);
      const killedAt = Date.now();
      dying.child.kill('SIGKILL');
      expect(await first).toBe('connection lost');
      expect(await journal.list({ deliveryId: 'killed-1' })).toMatchObject([{ state: 'running', attempts: 0 }]);
      await sleep(killedAt + 1_000 - Date.now());
      expect((await post(survivor.url, delivery('killed-1'))).status).toBe(409); // its 3 s lease has not lapsed yet
      await sleep(killedAt + 4_000 - Date.now());
      expect((await post(survivor.url, delivery('killed-1'))).status).toBe(200);
      expect((await runsOf('killed-1')).map((run) => [run.pid === survivor.child.pid, run.finished]).sort()).toEqual([
        [false, false],
        [true, true],
      ]);
      const entry = await journal.show('superoffice', 'killed-1');
      expect(entry!.event.state).toBe('handled');
      expect(entry!.attempts.map((attempt) => [attempt.result, attempt.status])).toEqual([
        ['in_progress', 409],
        ['handled', 200],
      ]);
    } finally {
      dying.child.kill('SIGKILL');
      await stopFixture(survivor.child);
    }
  });

  test('a new journal keeps finding its rows by key as it fills: no cached plan scans a table whole', async () => {
    // Plans made by each connection's first calls, while the tables are empty, are kept: they must use the keys.
    const fresh = createJournal({ database: postgres(pool), tablePrefix: 'grow_', pruneEveryMs: false, recovery: false });
    for (let index = 0; index < 400; index += 1) {
      const id = `grow-${index}`;
      await fresh.record({ provider: 'superoffice', receivedAt: Date.now(), method: 'POST', url: undefined, headers: {}, body: Buffer.from(`{"EventId":"${id}"}`),
        events: [{ name: 'superoffice.relation.created', deliveryId: id, signedAt: undefined, recordIds: [] }] });
      await fresh.attempted([{ provider: 'superoffice', deliveryId: id, name: 'superoffice.relation.created', result: 'handled', status: 200, error: undefined, durationMs: 1, replay: false }]);
    }
    const reads = async () =>
      (await pool.query<{ scanned: number; looked_up: number }>(
        `SELECT coalesce(sum(seq_tup_read), 0)::int AS scanned, coalesce(sum(idx_scan), 0)::int AS looked_up FROM pg_stat_user_tables
         WHERE relname ~ '^grow_(claims|events|attempts|deliveries)'`,
      )).rows[0]!;
    // Statistics reach other sessions within a second or so.
    await expect.poll(async () => (await reads()).looked_up, { timeout: 30_000 }).toBeGreaterThanOrEqual(800);
    // Scanning whole tables would read about 80,000 rows per table here (each lookup reading all rows so far).
    expect((await reads()).scanned).toBeLessThan(1_000);
    expect((await fresh.summary()).map((row) => row.count)).toEqual([400]);
    await fresh.close();
  });

  test('two batches out at once, noting attempts at the same events in opposite orders, never deadlock', async () => {
    // Each batch locks the events it notes. Sent in the order given, the two would lock them in
    // opposite orders: Postgres ends one after its deadlock timeout (1 s), and its writes go again.
    const refused: string[] = [];
    const base = postgres(pool);
    const watched = { ...base, query: <Row,>(sql: string, params?: readonly unknown[]) => base.query<Row>(sql, params).catch((error: { code?: string }) => { refused.push(error.code ?? String(error)); throw error; }) };
    const crossed = createJournal({ database: watched, tablePrefix: 'crossed_', pruneEveryMs: false, recovery: false });
    const ids = Array.from({ length: 8 }, (_, index) => `crossed-${index}`);
    await crossed.record({ provider: 'superoffice', receivedAt: Date.now(), method: 'POST', url: undefined, headers: {}, body: Buffer.from('{}'),
      events: ids.map((id) => ({ name: 'superoffice.relation.created', deliveryId: id, signedAt: undefined, recordIds: [] })) });
    const attempt = (id: string) => ({ provider: 'superoffice', deliveryId: id, name: 'superoffice.relation.created', result: 'failed' as const, status: 500, error: undefined, durationMs: 1, replay: false });
    for (let round = 0; round < 10; round += 1) {
      const forwards = crossed.attempted(ids.map(attempt));
      await new Promise((resolve) => setImmediate(resolve)); // a batch of its own
      await Promise.all([forwards, crossed.attempted([...ids].reverse().map(attempt))]);
    }
    expect(refused).toEqual([]);
    expect((await crossed.list({ deliveryId: 'crossed-0' }))[0]?.attempts).toBe(20);
    await crossed.close();
  });

  test("an event a store claimed before its delivery was recorded (on Postgres' clock, which counts microseconds) is found and changed by its id", async () => {
    expect(await journal.store.claim('superoffice', 'claimed-first')).toBe('claimed');
    expect((await journal.show('superoffice', 'claimed-first'))?.event.state).toBe('running');
    await journal.store.release('superoffice', 'claimed-first');
    expect((await journal.show('superoffice', 'claimed-first'))?.event.state).toBe('failed');
  });

  test('prune counts what it drops even while another process holds the counts (their changes not folded yet)', async () => {
    const fourDaysAgo = Date.now() - 4 * 86_400_000;
    for (let index = 0; index < 20; index += 1) {
      const id = `unfolded-${index}`;
      await journal.record({ provider: 'superoffice', receivedAt: fourDaysAgo + index, method: 'POST', url: undefined, headers: {}, body: Buffer.from(`{"EventId":"${id}"}`),
        events: [{ name: 'superoffice.relation.created', deliveryId: id, signedAt: undefined, recordIds: [] }] });
      await journal.attempted([{ provider: 'superoffice', deliveryId: id, name: 'superoffice.relation.created', result: 'handled', status: 200, error: undefined, durationMs: 1, replay: false }]);
    }
    // Another process folding: the lock fold_counts takes (and skips its fold when it cannot).
    const other = new pg.Client({ connectionString: server.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('crmhooks "public"."crmhooks_journal_count_changes"'))`);
      expect(await journal.prune({ olderThan: new Date(fourDaysAgo + 86_400_000) })).toBe(20);
    } finally {
      await other.end();
    }
  });

  test('old days are dropped while two receivers take deliveries, by two pruners at once: every delivery answered 200 and kept, the days gone whole', async () => {
    const DAY_MS = 86_400_000;
    const threeDaysAgo = Date.now() - 3 * DAY_MS;
    for (let index = 0; index < 50; index += 1) {
      const id = `aged-${index}`;
      const body = Buffer.from(delivery(id).body);
      await journal.record({ provider: 'superoffice', receivedAt: threeDaysAgo + index, method: 'POST', url: undefined, headers: {}, body,
        events: [{ name: 'superoffice.relation.created', deliveryId: id, signedAt: threeDaysAgo, recordIds: [] }] });
      await journal.attempted([{ provider: 'superoffice', deliveryId: id, name: 'superoffice.relation.created', result: 'handled', status: 200, error: undefined, durationMs: 1, replay: false }]);
    }
    const days = async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'crmhooks_journal_events'::regclass`)).rows[0]!.n;
    const daysBefore = await days();
    const receivers = await Promise.all([start(), start()]);
    const other = createJournal({ database: postgres(pool), pruneEveryMs: false, recovery: false });
    try {
      const cutoff = new Date(Date.now() - 2 * DAY_MS);
      const ids = Array.from({ length: 200 }, (_, index) => `while-pruning-${index}`);
      const [answers, pruned] = await Promise.all([
        Promise.all(ids.map((id, position) => post(receivers[position % 2]!.url, delivery(id)))),
        Promise.all([journal.prune({ olderThan: cutoff }), other.prune({ olderThan: cutoff })]),
      ]);
      expect(answers.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
      // Between them they dropped the day (each table's part by whichever came first); neither failed.
      expect(Math.max(...pruned)).toBe(50);
      expect(await days()).toBe(daysBefore - 1);
      expect(await journal.list({ deliveryId: 'aged-7' })).toEqual([]);
      expect((await journal.summary({ state: 'handled' })).find((row) => row.provider === 'superoffice')!.count).toBeGreaterThanOrEqual(200);
      const kept = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM crmhooks_journal_events WHERE delivery_id LIKE 'while-pruning-%' AND state = 'handled'`);
      expect(kept.rows).toEqual([{ n: 200 }]);
      const claims = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM crmhooks_journal_claims WHERE delivery_id LIKE 'aged-%'`);
      expect(claims.rows).toEqual([{ n: 0 }]);
    } finally {
      await other.close();
      await Promise.all(receivers.map((receiver) => stopFixture(receiver.child)));
    }
  });
});

describe.runIf(postgresAvailable() && (built || process.env.CI))('orphan recovery: a receiver killed anywhere in a 2 s handler (real processes)', () => {
  const keys = generateHighLevelKeyPair();
  const KILL_AT_MS = [100, 500, 1_000, 1_500, 1_900];

  test('SuperOffice and HighLevel, no retry from the CRM, and SuperOffice with its retries (+1 s, +4 s): each event handled to the end exactly once, within seconds', { timeout: 90_000 }, async () => {
    const server = await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url });
    const journal = createJournal({ database: postgres(pool), pruneEveryMs: false });
    await journal.ready();
    const env = { DATABASE_URL: server.url, SECRET: secret, HIGHLEVEL_KEY: keys.publicKey };
    type Started = { url: string; pid: number };
    const survivor = await startFixture<Started>(fixture, env);
    const dying = await Promise.all(KILL_AT_MS.map(() => startFixture<Started>(fixture, { ...env, HANDLER: 'slow' })));
    try {
      const runs = async () =>
        (await pool.query<{ delivery_id: string; pid: number; finished: boolean }>('SELECT delivery_id, pid, finished FROM runs ORDER BY delivery_id')).rows;
      const cases = KILL_AT_MS.flatMap((killAt, index) => [
        { id: `so-${killAt}`, killAt, process: dying[index]!, retried: false, delivery: delivery(`so-${killAt}`) },
        { id: `so-retried-${killAt}`, killAt, process: dying[index]!, retried: true, delivery: delivery(`so-retried-${killAt}`) },
        {
          id: `hl-${killAt}`,
          killAt,
          process: dying[index]!,
          retried: false,
          delivery: highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey, webhookId: `hl-${killAt}` }),
        },
      ]);
      const sent = Date.now();
      const answers = cases.map((one) => post(one.process.message.url, one.delivery).catch(() => 'connection lost'));
      // Each process dies that long after its handlers started.
      await expect.poll(async () => (await runs()).length, { timeout: 20_000, interval: 20 }).toBe(cases.length);
      const started = Date.now();
      await Promise.all(
        KILL_AT_MS.map(async (killAt, index) => {
          await sleep(started + killAt - Date.now());
          dying[index]!.child.kill('SIGKILL');
        }),
      );
      expect((await Promise.all(answers)).every((answer) => answer === 'connection lost')).toBe(true);
      // SuperOffice's own retries, to the survivor: 1 s and 4 s after its first try.
      const retries = cases
        .filter((one) => one.retried)
        .flatMap((one) => [1_000, 4_000].map(async (after) => (await sleep(sent + after - Date.now()), (await post(survivor.message.url, one.delivery)).status)));
      const retryStatuses = await Promise.all(retries);
      expect(retryStatuses.every((status) => status === 200 || status === 409)).toBe(true);
      // Every event handled to the end, once, by the survivor: recovered if no retry did it.
      await expect
        .poll(async () => (await journal.summary()).filter((row) => row.state !== 'handled'), { timeout: 30_000, interval: 250 })
        .toEqual([]);
      const handledAfter = Date.now() - started;
      const finished = (await runs()).filter((run) => run.finished);
      expect(finished.map((run) => [run.delivery_id, run.pid]).sort()).toEqual(cases.map((one) => [one.id, survivor.message.pid]).sort());
      expect(handledAfter).toBeLessThan(20_000);
      const summary = await journal.summary();
      expect(summary.reduce((sum, row) => sum + row.count, 0)).toBe(cases.length);
    } finally {
      for (const process of dying) process.child.kill('SIGKILL');
      await stopFixture(survivor.child);
      await journal.close();
      await pool.end();
      await server.stop();
    }
  });
});

describe.runIf(postgresAvailable() && (built || process.env.CI))('Postgres crashes under a receiver (real processes)', () => {
  test("the receiver lives on; what was answered 200 is kept and was handled once; the rest is handled on the CRM's retries", async () => {
    const server = await startPostgres({ durable: true });
    // The handler keeps its runs in a file: a handler's own writes to the crashing Postgres may commit
    // and lose their answer, and then a retry runs it again; that is the handler's, not the receiver's.
    const runsFile = join(mkdtempSync(join(tmpdir(), 'crmhooks-runs-')), 'runs');
    const { child, message } = await startFixture(fixture, { DATABASE_URL: server.url, SECRET: secret, RUNS_FILE: runsFile });
    const pool = new pg.Pool({ connectionString: server.url });
    pool.on('error', () => undefined); // this test's own pool outlives the crash too
    try {
      const ids = Array.from({ length: 60 }, (_, position) => `crash-${position}`);
      const answers = new Map<string, number[]>(ids.map((id) => [id, []]));
      const send = async (id: string) => answers.get(id)!.push((await post(message.url, delivery(id))).status);
      let crashed: Promise<void> | undefined;
      for (let position = 0; position < ids.length; position += 5) {
        // Once between deliveries (the pool's connections idle), once while five are on their way.
        if (position === 20) await server.crash();
        if (position === 35) await server.restart();
        const group = ids.slice(position, position + 5).map(send);
        if (position === 45) crashed = server.crash();
        await Promise.all(group);
      }
      await crashed;
      expect(child.exitCode).toBeNull();
      await server.restart();
      // The CRM retries whatever was not answered 200 (SuperOffice: a 409 or 5xx, a few times).
      for (const id of ids) {
        for (let retry = 0; !answers.get(id)!.includes(200) && retry < 40; retry += 1) {
          await send(id);
          if (!answers.get(id)!.includes(200)) await sleep(250);
        }
      }
      const statuses = [...answers.values()].flat();
      expect(statuses.filter((status) => ![200, 409, 500, 503].includes(status))).toEqual([]);
      expect(statuses.filter((status) => status !== 200).length).toBeGreaterThan(0); // the crash was felt
      expect(ids.filter((id) => !answers.get(id)!.includes(200))).toEqual([]);
      expect(child.exitCode).toBeNull();
      const runs = readFileSync(runsFile, 'utf8').trim().split('\n');
      expect(runs.sort()).toEqual([...ids].sort());
      const kept = await pool.query<{ count: string }>("SELECT count(DISTINCT delivery_id) AS count FROM crmhooks_journal_events WHERE delivery_id LIKE 'crash-%'");
      expect(kept.rows[0]!.count).toBe('60');
      // Outcomes the crash kept from the journal were written once Postgres answered: nothing handled stays "running".
      const notHandled = async () =>
        (await pool.query<{ delivery_id: string; state: string }>("SELECT delivery_id, state FROM crmhooks_journal_events WHERE delivery_id LIKE 'crash-%' AND state <> 'handled'")).rows;
      await expect.poll(notHandled, { timeout: 10_000, interval: 200 }).toEqual([]);
    } finally {
      await stopFixture(child);
      await pool.end();
      await server.stop();
    }
  });
});

function index(id: string): number {
  return Number(id.split('-').at(-1));
}
