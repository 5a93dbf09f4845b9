import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  hubSpotAssociationSample,
  hubSpotDelivery,
  superOfficeDelivery,
  superOfficeSample,
  type SignedDelivery,
} from '@crmhooks/core/testing';
import { startFixture, stopFixture as stop } from '../../../test/support/processes.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';

const DISTINCT = 2_000;
const COPIES = 5;
const CONCURRENCY = 100;
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url));
const built = ['core', 'express', 'redis', 'bullmq'].every((name) => existsSync(fileURLToPath(new URL(`../../${name}/dist/index.js`, import.meta.url))));

const start = (name: string, env: Record<string, string>) => startFixture<{ url?: string; pid?: number }>(fixture(name), env);

// The processes run the built packages; the root test script builds first (never skipped in CI).
describe.runIf(redisServerAvailable() && (built || process.env.CI))('scale: two receivers, two workers, one redis-server, a worker killed midway', () => {
  let redis: RedisServer;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.stop());

  test(`${DISTINCT} distinct events x ${COPIES} copies through alternating receivers; every event handled, none twice but the killed worker's`, { timeout: 180_000 }, async () => {
    const key = generateHighLevelKeyPair();
    const env = { REDIS_URL: redis.url, QUEUE: 'crm-scale', SECRET: 'scale-secret', HL_KEY: key.publicKey, HUBSPOT_SECRET: 'scale-hubspot', QUICK_LOCKS: '1' };
    const receivers = await Promise.all([start('receiver', env), start('receiver', env)]);
    const workers = await Promise.all([start('worker', env), start('worker', env)]);
    const urls = receivers.map((receiver) => receiver.message.url!);
    const probe = new Redis(redis.url);
    try {
      // Distinct events, a third from each CRM; HubSpot signs the URL it calls, so each copy is signed for its receiver.
      const events = Array.from({ length: DISTINCT }, (_, index) => {
        const kind = index % 3;
        if (kind === 0) {
          const delivery = superOfficeDelivery({ secret: env.SECRET, payload: { ...superOfficeSample('relation.created'), EventId: `so-${index}` } });
          return { id: `superoffice|so-${index}`, deliveryFor: () => delivery };
        }
        if (kind === 1) {
          const delivery = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: key.privateKey, webhookId: `hl-${index}` });
          return { id: `highlevel|hl-${index}`, deliveryFor: () => delivery };
        }
        const change = hubSpotAssociationSample({ eventId: index, occurredAt: 1_700_000_000_000 + index });
        const signed = new Map<string, SignedDelivery>();
        return {
          id: `hubspot|${change.portalId}:${change.subscriptionId}:${index}:${change.occurredAt}`,
          deliveryFor: (url: string) => signed.get(url) ?? signed.set(url, hubSpotDelivery({ secret: env.HUBSPOT_SECRET, url, events: [change] })).get(url)!,
        };
      });
      const copies = events.flatMap((event) => Array.from({ length: COPIES }, () => event));
      let seed = 7;
      for (let i = copies.length - 1; i > 0; i -= 1) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const j = seed % (i + 1);
        [copies[i], copies[j]] = [copies[j]!, copies[i]!];
      }

      const statuses = new Map<string, number>();
      const answerMs: number[] = [];
      let next = 0;
      let killed: number | undefined;
      let killing: Promise<void> | undefined;
      const killWhenBusy = async () => {
        const pid = workers[0]!.message.pid!;
        const running = async () => (await probe.llen(`started:${pid}`)) - (await probe.llen(`finished:${pid}`));
        // Frozen first, then looked at: the jobs it has started and not finished are still running when
        // it dies (looked at first, a busy machine's delay before the kill let them finish).
        const frozenAndRunning = async () => {
          workers[0]!.child.kill('SIGSTOP');
          const count = await running();
          if (count === 0) workers[0]!.child.kill('SIGCONT');
          return count;
        };
        await expect.poll(frozenAndRunning, { timeout: 30_000, interval: 5 }).toBeGreaterThan(0);
        workers[0]!.child.kill('SIGKILL');
        killed = pid;
      };
      const send = async () => {
        while (next < copies.length) {
          const index = next++;
          const url = urls[index % urls.length]!;
          const delivery = copies[index]!.deliveryFor(url);
          const started = performance.now();
          const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
          const text = await response.text();
          answerMs.push(performance.now() - started);
          const code = response.status === 200 ? '' : ` ${(JSON.parse(text) as { error: { code: string } }).error.code}`;
          statuses.set(`${response.status}${code}`, (statuses.get(`${response.status}${code}`) ?? 0) + 1);
          // Midway, once it has jobs running, one worker dies without any chance to clean up.
          if (index === Math.floor(copies.length / 2)) killing = killWhenBusy();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, send));
      await killing;

      // Every distinct event runs to the end once the survivor has drained the queue, stalled jobs included.
      await expect.poll(async () => probe.hlen('runs'), { timeout: 60_000, interval: 250 }).toBe(DISTINCT);
      await expect.poll(async () => (await probe.llen(`finished:${workers[1]!.message.pid}`)) + (await probe.llen(`finished:${killed}`)), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(DISTINCT);
      const runs = await probe.hgetall('runs');
      const ranTwice = Object.entries(runs).filter(([, count]) => Number(count) > 1).map(([id]) => id);
      const startedOnKilled = new Set(await probe.lrange(`started:${killed}`, 0, -1));
      const finishedOnKilled = new Set(await probe.lrange(`finished:${killed}`, 0, -1));
      const inFlightOnKilled = [...startedOnKilled].filter((id) => !finishedOnKilled.has(id));
      const sorted = [...answerMs].sort((a, b) => a - b);
      const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
      console.log(
        `scale: ${copies.length} deliveries (${DISTINCT} distinct) answered ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `answer time p50 ${percentile(50)} ms, p99 ${percentile(99)} ms; every event handled: ${Object.keys(runs).length === DISTINCT}; ` +
          `in flight on the killed worker: ${inFlightOnKilled.length}; run twice: ${ranTwice.length} (all of them begun on the killed worker: ${ranTwice.every((id) => startedOnKilled.has(id))})`,
      );
      expect(new Set(Object.keys(runs))).toEqual(new Set(events.map((event) => event.id)));
      // Run twice only what the killed worker had begun: a job it was running, or one it had finished
      // but not yet marked completed in BullMQ when it died.
      expect(ranTwice.every((id) => startedOnKilled.has(id))).toBe(true);
      expect(inFlightOnKilled.length).toBeGreaterThan(0); // the kill did hit running jobs
      // Copies that arrive while their first copy is being queued are asked to retry each CRM's way (409, 429, HubSpot's 503); nothing failed.
      const failures = [...statuses.keys()].filter((status) => !/^(200|409 delivery_in_progress|429 delivery_in_progress|503 delivery_in_progress)$/.test(status));
      expect(failures).toEqual([]);
    } finally {
      await Promise.all([...receivers, ...workers].map(({ child }) => stop(child)));
      await probe.quit();
    }
  });
});
