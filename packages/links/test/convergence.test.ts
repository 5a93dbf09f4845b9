import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AssociationEvent } from '@crmhooks/core';
import { createLinkMirror, type Database, type LinkMirror } from '../src/index.js';
import { DATABASES } from './support/databases.js';
import { deliveries, expectedLink } from './support/histories.js';

const RUNS = { PGlite: 150, Postgres: 150 } as const;
/** On Postgres, deliveries are applied this many at a time, as concurrent requests or jobs would. */
const CONCURRENCY = 8;

async function applyAll(mirror: LinkMirror, events: readonly AssociationEvent[], concurrency: number): Promise<void> {
  for (let index = 0; index < events.length; index += concurrency) {
    await Promise.all(events.slice(index, index + concurrency).map((event) => mirror.apply(event)));
  }
}

describe.each(DATABASES)('convergence on $name', (kind) => {
  let database: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    if (!kind.available) return;
    ({ database, stop } = await kind.start());
  });
  afterAll(async () => stop?.());

  test.runIf(kind.available)(
    'random histories delivered with duplicates in any order give the table in-order application gives',
    { timeout: 300_000 },
    async () => {
      const inOrder = createLinkMirror({ database, tablePrefix: 'in_order_' });
      const shuffled = createLinkMirror({ database, tablePrefix: 'shuffled_' });
      const figures = { histories: 0, links: 0, events: 0, deliveries: 0 };
      await fc.assert(
        fc.asyncProperty(deliveries, async ({ links, inOrder: events, delivered }) => {
          await Promise.all([inOrder.ready(), shuffled.ready()]);
          await database.exec('TRUNCATE in_order_links, shuffled_links');
          await applyAll(inOrder, events, 1);
          await applyAll(shuffled, delivered, kind.name === 'Postgres' ? CONCURRENCY : 1);

          const expected = await inOrder.links({ includeDeleted: true });
          expect(await shuffled.links({ includeDeleted: true })).toEqual(expected);
          // And in-order application itself is right: each link as its own history says.
          expect(expected).toEqual(links.map(expectedLink).sort((a, b) => a.provider.localeCompare(b.provider) || (a.id < b.id ? -1 : 1)));
          Object.assign(figures, {
            histories: figures.histories + 1,
            links: figures.links + links.length,
            events: figures.events + events.length,
            deliveries: figures.deliveries + delivered.length,
          });
        }),
        { numRuns: RUNS[kind.name as keyof typeof RUNS] },
      );
      console.log(`convergence on ${kind.name}: ${JSON.stringify(figures)}`);
    },
  );
});
