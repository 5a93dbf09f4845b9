import { createServer } from 'node:http';
import express from 'express';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, PermanentError, superoffice, type LogFields } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { crmhooks } from '@crmhooks/express';
import { createJournal, pglite, postgres } from '@crmhooks/journal';
import { createPgBossWorker, jobIdOf, pgBossQueue } from '@crmhooks/pg-boss';
import { PGlite } from '@electric-sql/pglite';
import { listen, post, type RunningServer } from '../../../test/support/http.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';

const secret = 'pg-boss-secret';
const delivery = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe.runIf(postgresAvailable())('the pg-boss hand-off (real Postgres, real pg-boss)', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let boss: PgBoss;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url });
    boss = new PgBoss({ connectionString: server.url, supervise: false, schedule: false });
    boss.on('error', () => undefined);
    await boss.start();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await pool?.end();
    await server?.stop();
  });

  /** A receiver and a worker on one queue, journal (store and dead letters) on the pool, handlers counting runs. */
  async function setUp(queueName: string, handler: (deliveryId: string) => void | Promise<void> = () => undefined) {
    const logs: (LogFields & { message: string })[] = [];
    const journal = createJournal({ database: postgres(pool), tablePrefix: `${queueName.replaceAll('-', '_')}_`, pruneEveryMs: false });
    const runs = new Map<string, number>();
    const make = () => {
      const webhooks = createWebhooks({
        providers: [superoffice({ secret })],
        journal,
        store: journal.store,
        deadLetters: journal,
        queue: pgBossQueue(boss, { name: queueName, journal }),
        logger: { warn: (fields, message) => logs.push({ ...fields, message }), error: (fields, message) => logs.push({ ...fields, message }) },
      });
      webhooks.on('superoffice.relation.created', async (_event, { deliveryId }) => {
        runs.set(deliveryId, (runs.get(deliveryId) ?? 0) + 1);
        await handler(deliveryId);
      });
      return webhooks;
    };
    const receiver = make();
    const app = express();
    app.post('/webhooks/crm', crmhooks(receiver));
    const http = await listen(createServer(app));
    const handlers = make();
    const worker = await createPgBossWorker(handlers, boss, { name: queueName });
    return {
      journal,
      receiver,
      runs,
      logs,
      url: `${http.url}/webhooks/crm`,
      close: async () => {
        await worker.close({ graceMs: 1000 });
        await http.close();
        await Promise.all([receiver.close(), handlers.close()]);
        await journal.close();
      },
    };
  }

  test('a delivery is answered once its job is stored; a worker runs it once; copies make no second job', { timeout: 30_000 }, async () => {
    const setup = await setUp('crm-basic');
    try {
      const answers = await Promise.all(['basic-1', 'basic-2', 'basic-1'].map((id) => post(setup.url, delivery(id))));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, expect.any(Number)]);
      await expect.poll(async () => (await setup.journal.show('superoffice', 'basic-2'))?.event.state, { timeout: 10_000 }).toBe('handled');
      await expect.poll(async () => (await setup.journal.show('superoffice', 'basic-1'))?.event.state, { timeout: 10_000 }).toBe('handled');
      expect((await post(setup.url, delivery('basic-1'))).status).toBe(200);
      expect(Object.fromEntries(setup.runs)).toEqual({ 'basic-1': 1, 'basic-2': 1 });
      const jobs = await pool.query("SELECT id, state FROM pgboss.job WHERE name = 'crm-basic'");
      expect(jobs.rows.map((row: { id: string }) => row.id).sort()).toEqual(
        [jobIdOf({ provider: 'superoffice', deliveryId: 'basic-1' }), jobIdOf({ provider: 'superoffice', deliveryId: 'basic-2' })].sort(),
      );
    } finally {
      await setup.close();
    }
  });

  test('a job Postgres refuses: the delivery is answered 503 and its event left unqueued, and the retry is handled once (crash.test.ts kills a receiver between the two writes)', { timeout: 30_000 }, async () => {
    const setup = await setUp('crm-atomic');
    // Postgres refuses one delivery's job, as it would with its disk full.
    await pool.query(`
      CREATE FUNCTION refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.data->>'deliveryId' = 'atomic-1' THEN RAISE EXCEPTION 'no room for this job'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_job BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION refuse_job();`);
    try {
      expect((await post(setup.url, delivery('atomic-1'))).status).toBe(503);
      const event = await setup.journal.show('superoffice', 'atomic-1');
      expect(event?.event.state).toBe('failed');
      expect(setup.logs.some((entry) => entry.code === 'queue_unavailable' && /no room for this job/.test(String(entry.message)))).toBe(true);
      await pool.query(`DROP TRIGGER refuse_job ON pgboss.job`);
      expect((await post(setup.url, delivery('atomic-1'))).status).toBe(200);
      await expect.poll(async () => (await setup.journal.show('superoffice', 'atomic-1'))?.event.state, { timeout: 10_000 }).toBe('handled');
      expect(setup.runs.get('atomic-1')).toBe(1);
    } finally {
      await pool.query(`DROP TRIGGER IF EXISTS refuse_job ON pgboss.job; DROP FUNCTION refuse_job()`);
      await setup.close();
    }
  });

  test('a failing handler is retried by pg-boss; a permanent failure is parked dead and not retried', { timeout: 30_000 }, async () => {
    let failures = 1;
    const setup = await setUp('crm-retry', (id) => {
      if (id === 'retry-permanent') throw new PermanentError('this record no longer exists');
      if (id === 'retry-once' && failures-- > 0) throw new Error('the CRM API timed out');
    });
    try {
      await boss.updateQueue('crm-retry', { name: 'crm-retry', retryDelay: 1, retryBackoff: false });
      expect((await post(setup.url, delivery('retry-once'))).status).toBe(200);
      expect((await post(setup.url, delivery('retry-permanent'))).status).toBe(200);
      await expect.poll(async () => (await setup.journal.show('superoffice', 'retry-once'))?.event.state, { timeout: 15_000 }).toBe('handled');
      await expect.poll(async () => (await setup.journal.show('superoffice', 'retry-permanent'))?.event.state, { timeout: 10_000 }).toBe('dead');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(setup.runs.get('retry-once')).toBe(2);
      expect(setup.runs.get('retry-permanent')).toBe(1);
      const states = await pool.query<{ state: string }>("SELECT state FROM pgboss.job WHERE name = 'crm-retry' ORDER BY data->>'deliveryId'");
      expect(states.rows.map((row) => row.state)).toEqual(['completed', 'completed']);
    } finally {
      await setup.close();
    }
  });

  test('one customer\'s burst never holds back another\'s: the quiet tenant\'s event starts once the burst\'s allowance is done, not after the whole burst', { timeout: 60_000 }, async () => {
    /** A burst of 400 events from one tenant, then one from another: how many of the burst were handled before it. */
    const burstThenQuiet = async (name: string, fairness: false | undefined) => {
      const receiver = createWebhooks({ providers: [superoffice({ secret })], queue: pgBossQueue(boss, { name, ...(fairness === false && { fairness }) }), logger: false });
      const handlers = createWebhooks({ providers: [superoffice({ secret })], logger: false });
      const order: string[] = [];
      handlers.on('superoffice.relation.created', async (event) => {
        order.push(event.ContextIdentifier);
        await new Promise((resolve) => setTimeout(resolve, 5));
      });
      const relation = (tenant: string, eventId: string) =>
        superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: tenant } });
      for (let index = 0; index < 400; index += 1) expect((await receiver.receive(relation('Bulk', `${name}-bulk-${index}`))).status).toBe(200);
      expect((await receiver.receive(relation('Quiet', `${name}-quiet`))).status).toBe(200);
      const worker = await createPgBossWorker(handlers, boss, { name, concurrency: 2 });
      try {
        await expect.poll(() => order.length, { timeout: 30_000 }).toBe(401);
      } finally {
        await worker.close({ graceMs: 1000 });
      }
      return order.indexOf('Quiet');
    };
    const fair = await burstThenQuiet('crm-fair', undefined);
    const firstComeFirstServed = await burstThenQuiet('crm-fifo', false);
    console.log(`pg-boss fairness: the quiet tenant's event started after ${fair} of the burst's 400 (first come first served: ${firstComeFirstServed})`);
    // The burst's first 50 are within its allowance (queued as any tenant's): only those go first.
    expect(fair).toBeLessThanOrEqual(52);
    expect(firstComeFirstServed).toBe(400);
  });

  test('a journal that is not in pg-boss\'s database is refused with what to change', { timeout: 30_000 }, async () => {
    const journal = createJournal({ database: pglite(new PGlite()), pruneEveryMs: false });
    const logs: (LogFields & { message: string })[] = [];
    const webhooks = createWebhooks({
      providers: [superoffice({ secret })],
      journal,
      store: journal.store,
      queue: pgBossQueue(boss, { name: 'crm-elsewhere', journal }),
      logger: { warn: () => undefined, error: (fields, message) => logs.push({ ...fields, message }) },
    });
    const app = express();
    app.post('/webhooks/crm', crmhooks(webhooks));
    const http: RunningServer = await listen(createServer(app));
    try {
      expect((await post(`${http.url}/webhooks/crm`, delivery('elsewhere-1'))).status).toBe(503);
      expect(logs.map((entry) => entry.message).join('\n')).toMatch(/pg-boss's tables are not in the journal's database.*Pass `journal` only when/s);
    } finally {
      await http.close();
      await webhooks.close();
      await journal.close();
    }
  });
});
