import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AssociationEvent } from '@crmhooks/core';
import { createLinkMirror, type Database } from '../src/index.js';
import { server } from './support/databases.js';
import { expectedLink, histories } from './support/histories.js';

const LINKS = 20;
const STEPS = 100;
const CONCURRENCY = 4;
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

function startProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./fixtures/apply-events.mjs', import.meta.url)), [], { env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`apply-events exited early (${code})`)));
  });
}

const finished = (child: ChildProcess) => new Promise<unknown>((resolve) => child.once('message', resolve));

// The processes run the built package; the root test script builds first (never skipped in CI).
describe.runIf(server.available && (built || process.env.CI))('two processes applying interleaved events to one Postgres', () => {
  let database: Database;
  let url: string;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const started = await server.start();
    ({ database, stop } = started);
    url = started.url!;
  });
  afterAll(async () => stop?.());

  test(`${LINKS} links with ${STEPS} events each, every event sent to one process or both, ${CONCURRENCY} at a time in each: no update lost`, { timeout: 120_000 }, async () => {
    const [links] = fc.sample(histories({ links: LINKS, steps: STEPS, full: true }), { seed: 16, numRuns: 1 }) as [AssociationEvent[][]];
    const events = links.flat();
    // Each event to process A, B or both; each process gets its share in an order of its own.
    const [routes, orderA, orderB] = fc.sample(
      fc.tuple(
        fc.array(fc.constantFrom('A', 'B', 'both'), { minLength: events.length, maxLength: events.length }),
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      ),
      { seed: 61, numRuns: 1 },
    )[0]!;
    const route = new Map(events.map((event, index) => [event, routes[index]!]));
    const forA = orderA.filter((event) => route.get(event) !== 'B');
    const forB = orderB.filter((event) => route.get(event) !== 'A');

    const env = { DATABASE_URL: url, TABLE_PREFIX: 'shared_' };
    const [a, b] = await Promise.all([startProcess(env), startProcess(env)]);
    const done = Promise.all([finished(a), finished(b)]);
    a.send({ events: forA, concurrency: CONCURRENCY });
    b.send({ events: forB, concurrency: CONCURRENCY });
    expect(await done).toEqual([{ applied: forA.length }, { applied: forB.length }]);

    const inOrder = createLinkMirror({ database, tablePrefix: 'in_order_' });
    for (const event of [...events].sort((x, y) => Date.parse(x.occurredAt!) - Date.parse(y.occurredAt!))) await inOrder.apply(event);
    const shared = createLinkMirror({ database, tablePrefix: 'shared_' });
    const expected = await inOrder.links({ includeDeleted: true });
    expect(await shared.links({ includeDeleted: true })).toEqual(expected);
    expect(expected).toEqual(links.map(expectedLink).sort((x, y) => x.provider.localeCompare(y.provider) || (x.id < y.id ? -1 : 1)));
    console.log(`two processes: ${links.length} links, ${events.length} events, ${forA.length} + ${forB.length} deliveries`);
  });
});
