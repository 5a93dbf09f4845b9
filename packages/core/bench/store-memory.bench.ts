/** Memory taken by the in-memory idempotency store per 100,000 handled ids (run with --expose-gc). */
import { randomUUID } from 'node:crypto';
import { MemoryIdempotencyStore } from '@crmhooks/core';

const IDS = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function memoryAfterGc(): number {
  gc!();
  gc!();
  // Off-heap memory (ArrayBuffers) counts too, so a store that moved ids there would still be measured.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const before = memoryAfterGc();
// Room for all of them in one generation, so every id is held once.
const store = new MemoryIdempotencyStore({ maxEntries: IDS * 2 + 2 });
for (let index = 0; index < IDS; index += 1) {
  // UUID delivery ids as the receiver gets them (parsed from a JSON body), kept alive only by the store.
  const deliveryId = (JSON.parse(`{"EventId":"${randomUUID()}"}`) as { EventId: string }).EventId;
  store.claim('superoffice', deliveryId);
  store.complete('superoffice', deliveryId);
}
const after = memoryAfterGc();
console.log('\n| in-memory store | ids held | memory used (heap and ArrayBuffers), ids included | per id |');
console.log('| --- | ---: | ---: | ---: |');
console.log(
  `| MemoryIdempotencyStore | ${store.size.toLocaleString('en-US')} | ${((after - before) / 2 ** 20).toFixed(1)} MiB | ${Math.round((after - before) / IDS)} B |`,
);
