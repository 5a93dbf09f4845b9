/** The receiver the crmhooks bench endpoints use: both providers, one handler each, a steady-state store. */
import { createWebhooks, highlevel, MemoryIdempotencyStore, superoffice } from '@crmhooks/core';
import { DISTINCT_DELIVERIES } from './bench-server.js';

export let sink: unknown;

export function benchReceiver() {
  const webhooks = createWebhooks({
    providers: [
      superoffice({ secret: process.env.BENCH_SECRET ?? '' }),
      highlevel({ publicKeys: process.env.BENCH_HIGHLEVEL_KEY ?? '' }),
    ],
    store: new MemoryIdempotencyStore({ maxEntries: DISTINCT_DELIVERIES / 2 }),
  });
  webhooks.on('superoffice.relation.created', (event) => void (sink = event.FieldValues));
  webhooks.on('highlevel.RelationCreate', (event) => void (sink = event.firstRecordId));
  return webhooks;
}

/** The same work for the hand-written endpoints' "handler". */
export function handleByHand(payload: unknown): void {
  sink = payload;
}
