import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createWebhooks, hubspot, superoffice } from '@crmhooks/core';
import { hubSpotAssociationSample, hubSpotDelivery, superOfficeDelivery, superOfficeSample, type SignedDelivery } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createLinkMirror } from '@crmhooks/links';
import { createJournal, pglite } from '@crmhooks/journal';

const secret = 'rebuild-secret';
const url = 'https://hooks.example.com/crm';

/** One change to a link: which CRM, which link, what happened, between which records. */
const step = fc.record({
  crm: fc.constantFrom('superoffice', 'hubspot'),
  link: fc.integer({ min: 1, max: 3 }),
  action: fc.constantFrom('created', 'changed', 'deleted'),
  from: fc.integer({ min: 1, max: 4 }),
  to: fc.integer({ min: 5, max: 8 }),
});

/** Signed deliveries of a history (CRM times one second apart), and an order to send them in: shuffled, some twice. */
const plans = fc
  .array(step, { minLength: 1, maxLength: 10 })
  .chain((steps) => {
    const indices = steps.map((_, index) => index);
    return fc.tuple(
      fc.constant(steps),
      fc.array(fc.nat({ max: steps.length - 1 }), { maxLength: steps.length }).chain((copies) =>
        fc.shuffledSubarray([...indices, ...copies], { minLength: indices.length + copies.length, maxLength: indices.length + copies.length }),
      ),
    );
  });

function signed(change: { crm: string; link: number; action: string; from: number; to: number }, index: number, t0: number): SignedDelivery {
  const at = new Date(t0 + index * 1000);
  if (change.crm === 'superoffice') {
    const event = `relation.${change.action}` as 'relation.created' | 'relation.changed' | 'relation.deleted';
    const sample = superOfficeSample(event);
    const payload = {
      ...sample,
      EventId: `so-${t0}-${index}`,
      PrimaryKey: change.link,
      Timestamp: at.toISOString(),
      ...('FieldValues' in sample && sample.FieldValues ? { FieldValues: { ...sample.FieldValues, source_record: change.from, destination_record: change.to } } : {}),
    };
    return superOfficeDelivery({ secret, payload });
  }
  const association = hubSpotAssociationSample({
    eventId: t0 + index,
    fromObjectId: change.from,
    toObjectId: change.to + change.link * 10,
    associationRemoved: change.action === 'deleted',
    occurredAt: at.getTime(),
  });
  return hubSpotDelivery({ secret, url, events: [association] });
}

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

test('deliveries in any order, with copies: the mirror rebuilt from the journal is the live mirror, row for row', { timeout: 300_000 }, async () => {
  const database = pglite(db);
  const journal = createJournal({ database, pruneEveryMs: false });
  const live = createLinkMirror({ database, tablePrefix: 'live_', logger: false });
  const rebuilt = createLinkMirror({ database, tablePrefix: 'rebuilt_', logger: false });
  await Promise.all([journal.ready(), live.ready(), rebuilt.ready()]);
  const table = async (prefix: string) =>
    (await db.query(`SELECT * FROM ${prefix}links ORDER BY provider, link_id`)).rows.concat(
      (await db.query(`SELECT * FROM ${prefix}link_definitions ORDER BY provider, definition_id`)).rows,
    );
  let runs = 0;
  let rows = 0;
  await fc.assert(
    fc.asyncProperty(plans, async ([steps, order]) => {
      runs += 1;
      await db.exec('TRUNCATE crmhooks_journal_events, crmhooks_journal_deliveries, crmhooks_journal_attempts, live_links, live_link_definitions');
      const providers = [superoffice({ secret }), hubspot({ clientSecret: secret })];
      const webhooks = createWebhooks({ providers, journal, store: journal.store, logger: false });
      live.attach(webhooks);
      const t0 = Date.now() - 60_000;
      const deliveries = steps.map((change, index) => signed(change, index, t0 + runs * 100_000));
      for (const index of order) {
        const outcome = await webhooks.receive({ ...deliveries[index]!, method: 'POST', url });
        expect(outcome.status).toBe(200);
      }
      const result = await rebuilt.rebuild(journal.deliveries(), providers);
      expect(result.unverified).toBe(0);
      const expected = await table('live_');
      rows += expected.length;
      expect(await table('rebuilt_')).toEqual(expected);
    }),
    { numRuns: 40 },
  );
  expect(rows).toBeGreaterThan(40); // the histories did make links
  await journal.close();
});
