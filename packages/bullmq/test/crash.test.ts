import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateHighLevelKeyPair, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { post } from '../../../test/support/http.js';
import { RetryingCrm } from '../../../test/support/retrying-crm.js';
import { startFixture, stopFixture } from '../../../test/support/processes.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';

const SECRET = 'crash-secret';
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url));
const built = ['core', 'express', 'redis', 'bullmq'].every((name) => existsSync(fileURLToPath(new URL(`../../${name}/dist/index.js`, import.meta.url))));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const delivery = (eventId: string) => superOfficeDelivery({ secret: SECRET, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const highLevelKey = generateHighLevelKeyPair().publicKey;

/** Env of the receiver and worker fixtures: the store on `redis`, the queue on `queueRedis`. */
const fixtureEnv = (queue: string, redis: RedisServer, queueRedis = redis, countRedis = queueRedis) => ({
  REDIS_URL: redis.url,
  QUEUE_URL: queueRedis.url,
  COUNT_URL: countRedis.url,
  QUEUE: queue,
  SECRET,
  HL_KEY: highLevelKey,
  HUBSPOT_SECRET: 'unused',
});
const startReceiver = (env: Record<string, string>) => startFixture<{ url: string }>(fixture('receiver'), env);
const startWorker = (env: Record<string, string>) => startFixture<{ pid: number }>(fixture('worker'), { ...env, REDIS_URL: env.QUEUE_URL! });

// The processes run the built packages; the root test script builds first (never skipped in CI).
describe.runIf(redisServerAvailable() && (built || process.env.CI))('crashes around the queue hand-off (real processes, real redis-servers)', () => {
  let store: RedisServer;
  let queueRedis: RedisServer;
  beforeAll(async () => void ([store, queueRedis] = await Promise.all([startRedis(), startRedis()])));
  afterAll(async () => void (await Promise.all([store?.stop(), queueRedis?.stop()])));

  test('SIGKILL between claiming a delivery and queueing it: the retry 4 s later is queued, and handled once', { timeout: 60_000 }, async () => {
    const env = fixtureEnv('crm-claim-kill', store, queueRedis);
    const [dying, survivor] = await Promise.all([startReceiver(env), startReceiver(env)]);
    const storeProbe = new Redis(store.url);
    const queueProbe = new Redis(queueRedis.url);
    try {
      // The queue's Redis takes no writes for a while, so the hand-off waits after the claim.
      await queueProbe.call('CLIENT', 'PAUSE', '30000', 'WRITE');
      const first = post(dying.message.url, delivery('claim-kill-1')).catch(() => 'connection lost');
      await expect.poll(() => storeProbe.exists('crmhooks:delivery:superoffice:claim-kill-1'), { timeout: 10_000, interval: 20 }).toBe(1);
      dying.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect(await first).toBe('connection lost');
      await queueProbe.call('CLIENT', 'UNPAUSE');

      const statuses = [];
      for (const after of [1_000, 4_000]) {
        await sleep(killedAt + after - Date.now());
        statuses.push((await post(survivor.message.url, delivery('claim-kill-1'))).status);
      }
      expect(statuses).toEqual([409, 200]);
      const worker = await startWorker(env);
      try {
        await expect.poll(async () => queueProbe.hget('runs', 'superoffice|claim-kill-1'), { timeout: 20_000, interval: 100 }).toBe('1');
      } finally {
        await stopFixture(worker.child);
      }
    } finally {
      await queueProbe.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      await Promise.all([stopFixture(dying.child), stopFixture(survivor.child)]);
      storeProbe.disconnect();
      queueProbe.disconnect();
    }
  });

  test('SIGKILL redis-server (append-only file, fsync always) mid-load and start it again: nothing acknowledged is lost, nothing handled twice', { timeout: 180_000 }, async () => {
    const DISTINCT = 600;
    const dir = mkdtempSync(join(tmpdir(), 'crmhooks-aof-'));
    let redis = await startRedis({ appendOnlyDir: dir });
    const counts = await startRedis(); // handler runs are counted where the crash cannot reach them
    const env = fixtureEnv('crm-redis-kill', redis, redis, counts);
    const receivers = await Promise.all([startReceiver(env), startReceiver(env)]);
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    const probe = new Redis(counts.url);
    try {
      // Each event is sent until it is answered 200, as a CRM retries; then a tenth of them again, as CRMs resend.
      const ids = Array.from({ length: DISTINCT }, (_, index) => `aof-${index}`);
      const crm = new RetryingCrm(receivers.map((receiver) => receiver.message.url), delivery);
      const crash = (async () => {
        await expect.poll(() => crm.acknowledged.size, { timeout: 60_000, interval: 10 }).toBeGreaterThanOrEqual(DISTINCT / 3);
        await redis.kill();
        await sleep(1_000);
        redis = await startRedis({ port: redis.port, appendOnlyDir: dir });
      })();
      await crm.deliverAll(ids, 20);
      await crash;
      await crm.resendSome(ids);

      await expect.poll(async () => probe.hlen('runs'), { timeout: 90_000, interval: 250 }).toBe(DISTINCT);
      await sleep(2_000); // time for a second run of anything, should there be one
      const runs = await probe.hgetall('runs');
      const twice = Object.entries(runs).filter(([, count]) => count !== '1');
      console.log(`redis kill: ${DISTINCT} deliveries (and ${DISTINCT / 10} copies) answered ${JSON.stringify(Object.fromEntries(crm.answered))}; handled twice: ${twice.length}`);
      expect(crm.acknowledged.size).toBe(DISTINCT);
      expect(Object.keys(runs).sort()).toEqual([...crm.acknowledged].map((id) => `superoffice|${id}`).sort());
      expect(twice).toEqual([]);
      expect(crm.answered.get('0') ?? 0).toBe(0); // the receivers themselves never went down
    } finally {
      await Promise.all([...receivers, ...workers].map(({ child }) => stopFixture(child)));
      probe.disconnect();
      await Promise.all([redis.stop(), counts.stop()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
