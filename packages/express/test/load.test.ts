import { createServer } from 'node:http';
import express from 'express';
import { expect, test } from 'vitest';
import { createWebhooks, highlevel, MemoryIdempotencyStore, superoffice, type LogFields } from '@crmhooks/core';
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
const COPIES = 10;
const CONCURRENCY = 100;
/** Copies of an event are shuffled within blocks of this many events, as CRM retries arrive close together. */
const BLOCK = 200;
/** Below DISTINCT, so the store must forget ids as the run goes on (and say so), yet far above a block. */
const STORE_MAX = 1_500;

test(`load: ${DISTINCT} distinct events, ${COPIES} copies each, ${CONCURRENCY} concurrent, mixed providers`, { timeout: 120_000 }, async () => {
  const secret = 'load-secret';
  const key = generateHighLevelKeyPair();
  const store = new MemoryIdempotencyStore({ maxEntries: STORE_MAX });
  const warnings: LogFields[] = [];
  const logger = { warn: (fields: LogFields) => void warnings.push(fields), error: () => undefined };
  const webhooks = createWebhooks({ providers: [superoffice({ secret }), highlevel({ publicKeys: key.publicKey })], store, logger });
  const handled = new Map<string, number>();
  webhooks.on(['superoffice.relation.created', 'highlevel.RelationCreate'], async (_event, { deliveryId }) => {
    await new Promise((resolve) => setImmediate(resolve)); // handlers that yield, so copies overlap
    handled.set(deliveryId, (handled.get(deliveryId) ?? 0) + 1);
  });
  const app = express();
  let answeredByServer = 0;
  app.use((_request, response, next) => void (response.on('finish', () => (answeredByServer += 1)), next()));
  app.post('/webhooks/crm', crmhooks(webhooks));
  const server = await listen(createServer(app));

  // Distinct events, half from each CRM, each sent 10 times, shuffled (deterministically) within its block.
  const distinct: { provider: string; delivery: SignedDelivery }[] = Array.from({ length: DISTINCT }, (_, index) =>
    index % 2 === 0
      ? { provider: 'superoffice', delivery: superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: `so-${index}` } }) }
      : {
          provider: 'highlevel',
          delivery: highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: key.privateKey, webhookId: `hl-${index}` }),
        },
  );
  let seed = 42;
  const copies: (typeof distinct)[number][] = [];
  for (let start = 0; start < DISTINCT; start += BLOCK) {
    const block = distinct.slice(start, start + BLOCK).flatMap((event) => Array.from({ length: COPIES }, () => event));
    for (let i = block.length - 1; i > 0; i -= 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [block[i], block[j]] = [block[j]!, block[i]!];
    }
    copies.push(...block);
  }

  const statuses: Record<string, Record<number, number>> = { superoffice: {}, highlevel: {} };
  let peakHeap = process.memoryUsage().heapUsed;
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < copies.length) {
      const { provider, delivery } = copies[next++]!;
      const response = await fetch(`${server.url}/webhooks/crm`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      await response.arrayBuffer();
      const counts = statuses[provider]!;
      counts[response.status] = (counts[response.status] ?? 0) + 1;
      if (next % 500 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await server.close();

  console.log(
    `load: ${answeredByServer} deliveries answered (${DISTINCT} distinct) in ${seconds.toFixed(1)} s = ${Math.round(answeredByServer / seconds)} deliveries/s; ` +
      `statuses ${JSON.stringify(statuses)}; peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB; store ${store.size}/${STORE_MAX}`,
  );
  expect(answeredByServer).toBe(DISTINCT * COPIES);
  // A copy arriving mid-handling asks for a retry each CRM's way: SuperOffice 409, HighLevel 429. Nothing else.
  expect(Object.keys(statuses.superoffice!).filter((status) => status !== '200' && status !== '409')).toEqual([]);
  expect(Object.keys(statuses.highlevel!).filter((status) => status !== '200' && status !== '429')).toEqual([]);
  // Every distinct event dispatched exactly once.
  expect(handled.size).toBe(DISTINCT);
  expect([...handled.values()].every((count) => count === 1)).toBe(true);
  // More events than the store holds: it stayed bounded, and warned once that it forgot ids younger than ttlMs.
  expect(store.size).toBeLessThanOrEqual(STORE_MAX);
  expect(warnings.filter((fields) => fields.code === 'store_warning')).toHaveLength(1);
});
