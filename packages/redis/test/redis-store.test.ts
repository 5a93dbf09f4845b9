import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice, type LogFields } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { RedisIdempotencyStore, type RedisStoreClient } from '@crmhooks/redis';
import { post } from '../../../test/support/http.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secret = 'redis-test-secret';
const delivery = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe.skipIf(!redisServerAvailable())('RedisIdempotencyStore on a real redis-server', () => {
  let redis: RedisServer;
  let client: ReturnType<typeof createClient>;
  beforeAll(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url, disableOfflineQueue: true });
    await client.connect();
  });
  afterAll(async () => {
    await client?.quit().catch(() => undefined);
    await redis?.stop();
  });

  test('claim, complete and release, under the key prefix', async () => {
    const store = new RedisIdempotencyStore({ client, keyPrefix: 'test1:' });
    expect(await store.claim('test', 'a')).toBe('claimed');
    expect(await store.claim('test', 'a')).toBe('in_progress');
    await store.release('test', 'a');
    expect(await store.claim('test', 'a')).toBe('claimed');
    await store.complete('test', 'a');
    expect(await store.claim('test', 'a')).toBe('completed');
    expect(await client.get('test1:test:a')).toBe('completed');
  });

  test('a claim lives for leaseMs, a handled id for ttlMs: two different expiries, set by Redis', async () => {
    const store = new RedisIdempotencyStore({ client, keyPrefix: 'test2:', ttlMs: 3_600_000, leaseMs: 60_000 });
    await store.claim('test', 'x');
    const leased = await client.pTTL('test2:test:x');
    expect(leased).toBeGreaterThan(55_000);
    expect(leased).toBeLessThanOrEqual(60_000);
    await store.complete('test', 'x');
    expect(await client.pTTL('test2:test:x')).toBeGreaterThan(3_500_000);
    // A lapsed claim (its key gone, as Redis expires it) can be claimed again.
    await store.claim('test', 'hung');
    await client.del('test2:test:hung');
    expect(await store.claim('test', 'hung')).toBe('claimed');
  });

  test('a store releases only its own claim, not one taken over after its lease ran out', async () => {
    const slow = new RedisIdempotencyStore({ client, keyPrefix: 'test3:' });
    const other = new RedisIdempotencyStore({ client, keyPrefix: 'test3:' });
    expect(await slow.claim('test', 'x')).toBe('claimed');
    await client.del('test3:test:x'); // the lease ran out
    expect(await other.claim('test', 'x')).toBe('claimed');
    await slow.release('test', 'x');
    expect(await other.claim('test', 'x')).toBe('in_progress');
  });

  test("a replay's claim takes a handled id, never one being handled; a failed replay forgets the id", async () => {
    const store = new RedisIdempotencyStore({ client, keyPrefix: 'test-replay:' });
    const replay = { replay: true };
    expect(await store.claim('test', 'x')).toBe('claimed');
    expect(await store.claim('test', 'x', replay)).toBe('in_progress');
    await store.complete('test', 'x');
    expect(await store.claim('test', 'x', replay)).toBe('claimed');
    expect(await client.pTTL('test-replay:test:x')).toBeLessThanOrEqual(store.leaseMs);
    // While the replay runs, a copy and a second replay are both in progress.
    expect(await store.claim('test', 'x')).toBe('in_progress');
    expect(await store.claim('test', 'x', replay)).toBe('in_progress');
    await store.release('test', 'x');
    expect(await store.claim('test', 'x')).toBe('claimed');
  });

  test('renew extends only this store\'s own live claim, by leaseMs from now', async () => {
    const store = new RedisIdempotencyStore({ client, keyPrefix: 'renew:', leaseMs: 2_000 });
    const other = new RedisIdempotencyStore({ client, keyPrefix: 'renew:' });
    expect(await store.claim('test', 'a')).toBe('claimed');
    await client.pExpire('renew:test:a', 100);
    expect(await store.renew('test', 'a')).toBe(true);
    expect(await client.pTTL('renew:test:a')).toBeGreaterThan(1_500);
    expect(await other.renew('test', 'a')).toBe(false); // never claimed it
    await client.del('renew:test:a'); // the lease ran out, and another store takes the delivery
    expect(await other.claim('test', 'a')).toBe('claimed');
    expect(await store.renew('test', 'a')).toBe(false);
    expect(await other.renew('test', 'a')).toBe(true);
    await other.complete('test', 'a');
    expect(await other.renew('test', 'a')).toBe(false);
    expect(await client.get('renew:test:a')).toBe('completed');
  });

  test('two receivers sharing the store dispatch a delivery once', async () => {
    const handled: string[] = [];
    const receivers = [1, 2].map(() => {
      const webhooks = createWebhooks({ providers: [superoffice({ secret })], logger: false, store: new RedisIdempotencyStore({ client, keyPrefix: 'test4:' }) });
      webhooks.on('superoffice.relation.created', async (_event, { deliveryId }) => {
        await sleep(10);
        handled.push(deliveryId);
      });
      return webhooks;
    });
    const answers = await Promise.all([...receivers, ...receivers].map((webhooks) => webhooks.receive(delivery('shared-1'))));
    expect(handled).toEqual(['shared-1']);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409]);
  });

  test('Redis unreachable, with disableOfflineQueue: 503 at once and nothing dispatched', async () => {
    const down = await startRedis();
    const downClient = createClient({ url: down.url, disableOfflineQueue: true });
    downClient.on('error', () => undefined); // reconnect attempts while down
    await downClient.connect();
    // Deliver only once the client has seen the server go: before that, a command can still be
    // written to the dying socket and fail as "Socket closed unexpectedly" (also a 503, but not offline).
    const noticed = new Promise((resolve) => downClient.once('reconnecting', resolve));
    await down.stop();
    await noticed;
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], logger: false, store: new RedisIdempotencyStore({ client: downClient }) });
    let calls = 0;
    webhooks.on('superoffice.relation.created', () => void (calls += 1));
    const answer = await webhooks.receive(delivery('while-down'));
    expect([answer.status, answer.error?.code, calls]).toEqual([503, 'store_unavailable', 0]);
    expect(answer.error?.message).toMatch(/offline/i);
    await downClient.destroy();
  });

  test("node-redis's default offline queue: claims queued while Redis is down replay on reconnect, yet every retry is handled, never 409", { timeout: 30_000 }, async () => {
    const server = await startRedis();
    const queueing = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
    queueing.on('error', () => undefined);
    await queueing.connect();
    const webhooks = createWebhooks({
      providers: [superoffice({ secret })],
      logger: false,
      storeTimeoutMs: 200,
      store: new RedisIdempotencyStore({ client: queueing, keyPrefix: 'queued:' }),
    });
    const handled: string[] = [];
    webhooks.on('superoffice.relation.created', (_event, { deliveryId }) => void handled.push(deliveryId));
    await server.stop();
    const ids = ['q-1', 'q-2', 'q-3'];
    const whileDown = await Promise.all(ids.map((id) => webhooks.receive(delivery(id))));
    expect(whileDown.map((answer) => answer.status)).toEqual([503, 503, 503]);
    const back = await startRedis(server.port);
    try {
      // The queued SETs claim the ids once the client reconnects; those late claims are released again.
      await expect.poll(async () => (queueing.isReady ? await queueing.keys('queued:*') : ['not ready']), { timeout: 10_000 }).toEqual([]);
      const retries = await Promise.all(ids.map((id) => webhooks.receive(delivery(id))));
      expect(retries.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(handled).toEqual(ids);
    } finally {
      await queueing.destroy();
      await back.stop();
    }
  });

  const fixture = fileURLToPath(new URL('./fixtures/receiver.mjs', import.meta.url));
  const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

  // The processes run the built packages; the root test script builds first (never skipped in CI).
  test.skipIf(!built && !process.env.CI)('two receiver processes hit with the same deliveries concurrently: exactly once overall', { timeout: 60_000 }, async () => {
    const children = [1, 2].map(() => fork(fixture, [], { env: { ...process.env, REDIS_URL: redis.url, SECRET: secret }, stdio: 'inherit' }));
    try {
      const urls = await Promise.all(children.map((child) => new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)))));
      const ids = Array.from({ length: 50 }, (_, index) => `multi-${index}`);
      // Each delivery: three copies to each process, all at once.
      const answers = await Promise.all(ids.flatMap((id) => [...urls, ...urls, ...urls].map((url) => post(url, delivery(id)))));
      expect(answers.every((answer) => [200, 409].includes(answer.status))).toBe(true);
      // The CRM retries what was answered 409; retries are duplicates or handled, never run twice.
      for (const id of ids) await post(urls[0]!, delivery(id));
      const counts = await Promise.all(ids.map((id) => client.get(`handled:${id}`)));
      expect(counts).toEqual(ids.map(() => '1'));
    } finally {
      await Promise.all(children.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))));
    }
  });
});

describe.runIf(redisServerAvailable())('persistence: a Redis that would forget handled ids on a restart is said so', () => {
  /** A receiver on the store, with what it logged. */
  async function receiverOn(store: RedisIdempotencyStore) {
    const lines: { fields: LogFields; message: string }[] = [];
    const record = (fields: LogFields, message: string) => void lines.push({ fields, message });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger: { warn: record, error: record } });
    webhooks.on('superoffice.relation.created', () => undefined);
    await store.ready().catch(() => undefined);
    return { webhooks, lines };
  }

  async function withRedis(options: Parameters<typeof startRedis>[0], run: (client: RedisStoreClient) => Promise<void>) {
    const server = await startRedis(options);
    const client = createClient({ url: server.url, disableOfflineQueue: true });
    await client.connect();
    try {
      await run(client);
    } finally {
      await client.quit();
      await server.stop();
    }
  }

  test('no append-only file: one warning at start naming the consequence and the fix; deliveries still handled', async () => {
    await withRedis({}, async (client) => {
      const { webhooks, lines } = await receiverOn(new RedisIdempotencyStore({ client }));
      expect((await webhooks.receive(delivery('p-1'))).status).toBe(200);
      expect((await webhooks.receive(delivery('p-2'))).status).toBe(200);
      expect(lines.map((line) => line.fields.code)).toEqual(['store_warning']);
      expect(lines[0]!.message).toMatch(
        /^Redis keeps no append-only file \(appendonly no\): if it restarts, the ids of handled deliveries recorded since its last snapshot are lost, and copies .* are handled again\. Set appendonly yes.*pass requirePersistence: true to RedisIdempotencyStore\.$/,
      );
    });
  });

  test('requirePersistence: ready() rejects, and every delivery is answered so that the CRM retries, with the reason', async () => {
    await withRedis({}, async (client) => {
      const store = new RedisIdempotencyStore({ client, requirePersistence: true });
      await expect(store.ready()).rejects.toThrow(/RedisIdempotencyStore refuses to start: Redis keeps no append-only file/);
      const { webhooks, lines } = await receiverOn(store);
      const answer = await webhooks.receive(delivery('p-3'));
      expect([answer.status, answer.error?.code]).toEqual([503, 'store_unavailable']);
      expect(answer.error?.message).toMatch(/refuses to start/);
      expect(lines.map((line) => line.fields.code)).toEqual(['store_unavailable']);
    });
  });

  test('with an append-only file: no warning, and requirePersistence starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crmhooks-aof-'));
    try {
      await withRedis({ appendOnlyDir: dir }, async (client) => {
        const store = new RedisIdempotencyStore({ client, requirePersistence: true });
        await expect(store.ready()).resolves.toBeUndefined();
        const { webhooks, lines } = await receiverOn(store);
        expect((await webhooks.receive(delivery('p-4'))).status).toBe(200);
        expect(lines).toEqual([]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a managed Redis that refuses INFO: said once, then trusted', async () => {
    await withRedis({ args: ['--rename-command', 'INFO', ''] }, async (client) => {
      const { webhooks, lines } = await receiverOn(new RedisIdempotencyStore({ client }));
      expect((await webhooks.receive(delivery('p-5'))).status).toBe(200);
      expect(lines.map((line) => line.fields.code)).toEqual(['store_warning']);
      expect(lines[0]!.message).toMatch(/could not read Redis's persistence settings \(INFO persistence failed: .*unknown command.*\), so it cannot tell/);
    });
  });
});
