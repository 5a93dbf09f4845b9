import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { post } from '../../../test/support/http.js';
import { RetryingCrm } from '../../../test/support/retrying-crm.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { startFixture, stopFixture, type FixtureProcess } from '../../../test/support/processes.js';

const SECRET = 'pg-boss-crash-secret';
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url));
const built = ['core', 'journal', 'postgres', 'pg-boss'].every((name) => existsSync(fileURLToPath(new URL(`../../${name}/dist/index.js`, import.meta.url))));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const delivery = (eventId: string) => superOfficeDelivery({ secret: SECRET, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

/** What RUNS_FILE says: per delivery id, how many runs started and how many finished. */
function runsIn(file: string): Map<string, { started: number; done: number }> {
  const runs = new Map<string, { started: number; done: number }>();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n').filter(Boolean)) {
    const [what, id] = line.split(' ') as [string, string];
    const entry = runs.get(id) ?? { started: 0, done: 0 };
    if (what === 'start') entry.started += 1;
    else entry.done += 1;
    runs.set(id, entry);
  }
  return runs;
}

// The processes run the built packages; the root test script builds first (never skipped in CI).
describe.runIf(postgresAvailable() && (built || process.env.CI))('crashes around the pg-boss hand-off (real processes, real Postgres)', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres({ durable: true });
    pool = new pg.Pool({ connectionString: server.url });
    pool.on('error', () => undefined);
    dir = mkdtempSync(join(tmpdir(), 'crmhooks-pgboss-'));
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = (queue: string, extra: Record<string, string> = {}) => ({ DATABASE_URL: server.url, SECRET, QUEUE: queue, RUNS_FILE: join(dir, `${queue}.runs`), ...extra });
  const startReceiver = (environment: Record<string, string>) => startFixture<{ url: string; pid: number }>(fixture('receiver'), environment);
  const startWorker = (environment: Record<string, string>) => startFixture<{ pid: number }>(fixture('worker'), environment);
  const stopAll = (processes: readonly (FixtureProcess<unknown> | undefined)[]) => Promise.all(processes.map((one) => one && stopFixture(one.child)));

  test('a receiver SIGKILLed while its job waits to be stored: the event is neither queued without its job nor lost, and is handled once', { timeout: 60_000 }, async () => {
    const environment = env('crm-receiver-kill');
    const [dying, survivor] = await Promise.all([startReceiver(environment), startReceiver(environment)]);
    const worker = await startWorker(environment);
    const locker = await pool.connect();
    try {
      // Jobs cannot be stored for now: the dying receiver's transaction has marked the event queued and waits.
      await locker.query('BEGIN; LOCK TABLE pgboss.job IN EXCLUSIVE MODE');
      const first = post(dying.message.url, delivery('receiver-kill-1')).catch(() => 'connection lost');
      await expect
        .poll(async () => (await pool.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO pgboss.job%'")).rows.length, { timeout: 10_000, interval: 50 })
        .toBe(1);
      dying.child.kill('SIGKILL');
      expect(await first).toBe('connection lost');
      // Postgres notices a dead client only when it next reads from it: end the waiting statement as the crash would have.
      await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO pgboss.job%'");
      await locker.query('COMMIT');
      // No retry from the CRM: the surviving receiver recovers the orphan once its claim lapses.
      await expect.poll(() => runsIn(environment.RUNS_FILE).get('receiver-kill-1')?.done ?? 0, { timeout: 30_000, interval: 100 }).toBe(1);
      const state = await pool.query("SELECT state FROM crmhooks_journal_events WHERE delivery_id = 'receiver-kill-1'");
      await expect.poll(async () => (await pool.query("SELECT state FROM crmhooks_journal_events WHERE delivery_id = 'receiver-kill-1'")).rows[0]?.state).toBe('handled');
      expect(state.rows.length).toBe(1);
      // The CRM's retry now finds it handled.
      expect((await post(survivor.message.url, delivery('receiver-kill-1'))).status).toBe(200);
      await sleep(1_500);
      expect(runsIn(environment.RUNS_FILE).get('receiver-kill-1')).toEqual({ started: 1, done: 1 });
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      await stopAll([dying, survivor, worker]);
    }
  });

  test('a worker SIGKILLed mid-job: its job expires and another worker runs it; every event handled once', { timeout: 90_000 }, async () => {
    const environment = env('crm-worker-kill', { HANDLER_MS: '2000', EXPIRE_S: '3' });
    const receiver = await startReceiver(environment);
    const dying = await startWorker(environment);
    let survivor: FixtureProcess<{ pid: number }> | undefined;
    try {
      const ids = Array.from({ length: 10 }, (_, index) => `worker-kill-${index}`);
      const answers = await Promise.all(ids.map((id) => post(receiver.message.url, delivery(id))));
      expect(answers.map((answer) => answer.status)).toEqual(ids.map(() => 200));
      await expect.poll(() => runsIn(environment.RUNS_FILE).size, { timeout: 10_000, interval: 50 }).toBe(ids.length);
      await sleep(1_000);
      dying.child.kill('SIGKILL');
      survivor = await startWorker(environment);
      await expect
        .poll(() => ids.filter((id) => (runsIn(environment.RUNS_FILE).get(id)?.done ?? 0) >= 1).length, { timeout: 40_000, interval: 200 })
        .toBe(ids.length);
      await sleep(2_000); // time for a second run of anything, should there be one
      const runs = runsIn(environment.RUNS_FILE);
      expect(ids.map((id) => runs.get(id))).toEqual(ids.map(() => ({ started: 2, done: 1 })));
      const states = await pool.query("SELECT state, count(*)::int AS count FROM crmhooks_journal_events WHERE delivery_id LIKE 'worker-kill-%' GROUP BY state");
      expect(states.rows).toEqual([{ state: 'handled', count: ids.length }]);
    } finally {
      await stopAll([receiver, dying, survivor]);
    }
  });

  test('Postgres crashed and restarted mid-load: nothing acknowledged is lost, nothing handled twice', { timeout: 180_000 }, async () => {
    const DISTINCT = 300;
    const environment = env('crm-postgres-crash');
    const receivers = await Promise.all([startReceiver(environment), startReceiver(environment)]);
    const workers = await Promise.all([startWorker(environment), startWorker(environment)]);
    try {
      // Each event is sent until it is answered 200, as a CRM retries; then a tenth of them again, as CRMs resend.
      const ids = Array.from({ length: DISTINCT }, (_, index) => `pg-crash-${index}`);
      const crm = new RetryingCrm(receivers.map((receiver) => receiver.message.url), delivery);
      const crash = (async () => {
        await expect.poll(() => crm.acknowledged.size, { timeout: 60_000, interval: 10 }).toBeGreaterThanOrEqual(DISTINCT / 3);
        await server.crash();
        await sleep(1_000);
        await server.restart();
      })();
      await crm.deliverAll(ids, 10);
      await crash;
      await crm.resendSome(ids);

      await expect.poll(() => [...runsIn(environment.RUNS_FILE).values()].filter((run) => run.done > 0).length, { timeout: 120_000, interval: 250 }).toBe(DISTINCT);
      await sleep(3_000); // time for a second run of anything, should there be one
      const runs = runsIn(environment.RUNS_FILE);
      const twice = [...runs].filter(([, run]) => run.done !== 1);
      console.log(`postgres crash: ${DISTINCT} deliveries (and ${DISTINCT / 10} copies) answered ${JSON.stringify(Object.fromEntries(crm.answered))}; handled twice: ${twice.length}`);
      expect(crm.acknowledged.size).toBe(DISTINCT);
      expect([...runs.keys()].sort()).toEqual([...crm.acknowledged].sort());
      expect(twice).toEqual([]);
      expect(crm.answered.get('0') ?? 0).toBe(0); // the receivers themselves never went down
    } finally {
      await stopAll([...receivers, ...workers]);
    }
  });
});
