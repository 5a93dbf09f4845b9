import { existsSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { RedisIdempotencyStore, type RedisStoreClient } from '@crmhooks/redis';
import { post, type Answer } from '../../../test/support/http.js';
import { startFixture, stopFixture as stop } from '../../../test/support/processes.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../../../test/support/redis-server.js';

const secret = 'crash-secret';
const delivery = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixture = fileURLToPath(new URL('./fixtures/receiver.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

/** A receiver process (the built packages) and its URL. */
async function startReceiver(redis: RedisServer, handler = 'quick') {
  const { child, message } = await startFixture(fixture, { REDIS_URL: redis.url, SECRET: secret, HANDLER: handler });
  return { child, url: message.url };
}

/** SuperOffice's schedule after a failed try: again 1 s later, and 4 s later. Each answer, in order. */
async function superOfficeRetries(url: string, eventId: string, failedAt: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const after of [1_000, 4_000]) {
    await sleep(failedAt + after - Date.now());
    answers.push(await post(url, delivery(eventId)));
  }
  return answers;
}

/**
 * A TCP proxy in front of Redis that can stop passing Redis's replies back: commands still
 * reach Redis and run, the client never learns their result (as when Redis dies right after).
 */
async function replyDroppingProxy(redisPort: number) {
  const sockets = new Set<Socket>();
  let dropping = false;
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk) => dropping || client.write(chunk));
    for (const socket of [client, upstream]) socket.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    dropReplies: () => void (dropping = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The processes run the built packages; the root test script builds first (never skipped in CI).
describe.runIf(redisServerAvailable() && (built || process.env.CI))('a dead receiver or a lost reply never strands a claim (real processes, real redis-server)', () => {
  let redis: RedisServer;
  let probe: ReturnType<typeof createClient>;
  beforeAll(async () => {
    redis = await startRedis();
    probe = createClient({ url: redis.url });
    await probe.connect();
  });
  afterAll(async () => {
    await probe?.quit();
    await redis?.stop();
  });
  const count = async (key: string) => Number((await probe.get(key)) ?? 0);

  test('SIGKILL between claim and handlers finishing: the retry 1 s later is "in progress", the one 4 s later is handled, once', { timeout: 30_000 }, async () => {
    const [dying, survivor] = await Promise.all([startReceiver(redis, 'hang'), startReceiver(redis)]);
    try {
      const first = post(dying.url, delivery('killed-1')).catch(() => 'connection lost');
      await expect.poll(() => count('started:killed-1'), { timeout: 10_000, interval: 20 }).toBe(1);
      dying.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect(await first).toBe('connection lost'); // what SuperOffice sees: a failed try
      const retries = await superOfficeRetries(survivor.url, 'killed-1', killedAt);
      expect(retries.map((answer) => answer.status)).toEqual([409, 200]);
      expect([await count('started:killed-1'), await count('handled:killed-1')]).toEqual([2, 1]);
    } finally {
      await Promise.all([stop(dying.child), stop(survivor.child)]);
    }
  });

  test('a live receiver whose handler outlives the lease keeps its claim: retries meanwhile are "in progress", the handler runs once', { timeout: 30_000 }, async () => {
    const [slow, other] = await Promise.all([startReceiver(redis, 'slow'), startReceiver(redis)]);
    try {
      const first = post(slow.url, delivery('slow-1'));
      await expect.poll(() => count('started:slow-1'), { timeout: 10_000, interval: 20 }).toBe(1);
      const retries = await superOfficeRetries(other.url, 'slow-1', Date.now());
      expect(retries.map((answer) => answer.status)).toEqual([409, 409]);
      expect((await first).status).toBe(200);
      expect((await post(other.url, delivery('slow-1'))).body).toEqual({ ok: true, duplicate: true });
      expect([await count('started:slow-1'), await count('handled:slow-1')]).toEqual([1, 1]);
    } finally {
      await Promise.all([stop(slow.child), stop(other.child)]);
    }
  });

  test('Redis ran the claim but its reply was lost: answered 503, the release cannot reach Redis, and the retry 4 s later is handled', { timeout: 30_000 }, async () => {
    const proxy = await replyDroppingProxy(redis.port);
    const cutOff = createClient({ url: proxy.url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    cutOff.on('error', () => undefined);
    await cutOff.connect();
    const receiver = (client: RedisStoreClient) => {
      const webhooks = createWebhooks({ providers: [superoffice({ secret })], logger: false, storeTimeoutMs: 500, store: new RedisIdempotencyStore({ client }) });
      webhooks.on('superoffice.relation.created', async (_event, { deliveryId }) => void (await probe.incr(`handled:${deliveryId}`)));
      return webhooks;
    };
    try {
      proxy.dropReplies();
      const failedAt = Date.now();
      const first = await receiver(cutOff).receive(delivery('lost-reply-1'));
      expect([first.status, first.error?.code]).toEqual([503, 'store_unavailable']);
      expect(await probe.get('crmhooks:delivery:superoffice:lost-reply-1')).toMatch(/^claimed:/); // Redis did run it
      await proxy.close(); // and the receiver never hears from that Redis again

      const survivor = receiver(probe);
      const retries = [];
      for (const after of [1_000, 4_000]) {
        await sleep(failedAt + after - Date.now());
        retries.push((await survivor.receive(delivery('lost-reply-1'))).status);
      }
      expect(retries).toEqual([409, 200]);
      expect(await count('handled:lost-reply-1')).toBe(1);
    } finally {
      await cutOff.destroy();
      await proxy.close();
    }
  });
});
