import { createServer } from 'node:http';
import express from 'express';
import { expect, test } from 'vitest';
import { createWebhooks, highlevel, MemoryIdempotencyStore, superoffice } from '@crmhooks/core';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
  type SignedDelivery,
} from '@crmhooks/core/testing';
import { crmhooks } from '@crmhooks/express';
import { listen } from '../../../test/support/http.js';

const DISTINCT = 2_000;
const MAX_COPIES = 10;
const CONCURRENCY = 100;
const STORE_MAX = 5_000;

test(`load: ${DISTINCT} distinct events, ${MAX_COPIES} copies each, ${CONCURRENCY} concurrent, mixed providers`, { timeout: 120_000 }, async () => {
  const secret = 'load-secret';
  const key = generateHighLevelKeyPair();
  const store = new MemoryIdempotencyStore({ maxEntries: STORE_MAX });
  const webhooks = createWebhooks({ providers: [superoffice({ secret }), highlevel({ publicKeys: key.publicKey })], store });
  const handled = new Map<string, number>();
  webhooks.on(['superoffice.relation.created', 'highlevel.RelationCreate'], async (_event, { deliveryId }) => {
    await new Promise((resolve) => setImmediate(resolve)); // handlers that yield, so copies overlap
    handled.set(deliveryId, (handled.get(deliveryId) ?? 0) + 1);
  });
  const app = express();
  app.post('/webhooks/crm', crmhooks(webhooks));
  const server = await listen(createServer(app));

  // Distinct events, half from each CRM, each sent 10 times, shuffled (deterministically).
  const distinct: SignedDelivery[] = Array.from({ length: DISTINCT }, (_, index) =>
    index % 2 === 0
      ? superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: `so-${index}` } })
      : highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: key.privateKey, webhookId: `hl-${index}` }),
  );
  const copies = distinct.flatMap((delivery) => Array.from({ length: MAX_COPIES }, () => delivery));
  let seed = 42;
  for (let i = copies.length - 1; i > 0; i -= 1) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [copies[i], copies[j]] = [copies[j]!, copies[i]!];
  }

  const statuses = new Map<number, number>();
  let peakHeap = process.memoryUsage().heapUsed;
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < copies.length) {
      const delivery = copies[next++]!;
      const response = await fetch(`${server.url}/webhooks/crm`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (next % 500 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await server.close();

  const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  console.log(
    `load: ${total} deliveries (${DISTINCT} distinct) in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} deliveries/s; ` +
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}; peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB; store ${store.size}/${STORE_MAX}`,
  );
  expect(total).toBe(copies.length);
  expect(total).toBe(DISTINCT * MAX_COPIES);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  expect([...statuses.keys()].every((status) => status === 200 || status === 409)).toBe(true);
  // Every distinct event dispatched exactly once.
  expect(handled.size).toBe(DISTINCT);
  expect([...handled.values()].every((count) => count === 1)).toBe(true);
  expect(store.size).toBeLessThanOrEqual(STORE_MAX);
});
