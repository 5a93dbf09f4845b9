import { createServer } from 'node:http';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { fromIoredis, RedisIdempotencyStore, type RedisStoreClient } from '@crmhooks/redis';
import { listen, post } from '../../../test/support/http.js';
import { redisServerAvailable } from '../../../test/support/redis-server.js';
import { startRedisCluster, type RedisCluster } from '../../../test/support/redis-cluster.js';

const secret = 'cluster-secret';
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

describe.runIf(redisServerAvailable())('RedisIdempotencyStore on a Redis Cluster (node-redis createCluster, ioredis Cluster)', () => {
  let cluster: RedisCluster;
  beforeAll(async () => void (cluster = await startRedisCluster()), 90_000);
  afterAll(async () => cluster?.stop());

  /** Two clients of the cluster, as two receivers would have, and how to close them. */
  const clientsOf = {
    'node-redis createCluster': async () => {
      const clients = [0, 1].map(() => createCluster({ rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) }));
      for (const client of clients) {
        client.on('error', () => undefined);
        await client.connect();
      }
      return { clients: clients as RedisStoreClient[], close: () => Promise.all(clients.map((client) => client.quit())) };
    },
    'ioredis Cluster through fromIoredis': async () => {
      const clients = [0, 1].map(() => new Cluster([...cluster.nodes]));
      for (const client of clients) client.on('error', () => undefined);
      return { clients: clients.map(fromIoredis), close: () => Promise.all(clients.map((client) => client.quit())) };
    },
  };

  test.each(Object.keys(clientsOf) as (keyof typeof clientsOf)[])('%s: two receivers share the cluster; every delivery, sent to both at once, is handled once; the ids spread over the shards', async (kind) => {
    const { clients, close } = await clientsOf[kind]();
    const handled: string[] = [];
    const servers = await Promise.all(
      clients.map(async (client) => {
        const store = new RedisIdempotencyStore({ client, keyPrefix: 'crmhooks:delivery:' });
        store.onWarning(() => undefined);
        const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger: false });
        webhooks.on('superoffice.relation.created', async (_event, { deliveryId }) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          handled.push(deliveryId);
        });
        return listen(createServer(createNodeHandler(webhooks)));
      }),
    );
    try {
      const ids = Array.from({ length: 60 }, (_, index) => `${kind.split(' ')[0]}-store-${index}`);
      const answers = await Promise.all(ids.map((id) => Promise.all(servers.map((server) => post(server.url, relation(id))))));
      // Each delivery: one receiver handles it (200), the other finds it in progress (409) or handled (200).
      for (const pair of answers) expect(pair.map((answer) => answer.status).sort()).toSatisfy((statuses: number[]) => statuses[0] === 200 && [200, 409].includes(statuses[1]!));
      expect(handled.sort()).toEqual([...ids].sort());
      // A copy after the fact is a duplicate everywhere.
      for (const server of servers) expect((await post(server.url, relation(ids[7]!))).status).toBe(200);
      expect(handled.filter((id) => id === ids[7])).toHaveLength(1);
      const shards = new Set(await Promise.all(ids.map(async (id) => (await cluster.primaryOf(`crmhooks:delivery:superoffice:${id}`)).port)));
      expect(shards.size).toBe(3);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      await close();
    }
  });
});
