import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attio, createWebhooks, dataverse } from '@crmhooks/core';
import { attioDelivery, attioListEntrySample, dataverseAssociateSample, dataverseDelivery } from '@crmhooks/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { createJournal, pglite } from '@crmhooks/journal';
import { createLinkMirror } from '@crmhooks/links';

const attioSecret = 'attio-webhook-secret';
const dataverseKey = 'dataverse-registered-key';

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => db?.close());

describe('Attio and Dataverse through the journal and the link mirror', () => {
  test('recorded, shown, replayed and mirrored; the mirror rebuilt from the journal equals the live one; Dataverse\'s key is kept nowhere', async () => {
    const journal = createJournal({ database: pglite(db), tablePrefix: 'pv_', pruneEveryMs: false });
    const mirror = createLinkMirror({ database: pglite(db), tablePrefix: 'pv_links_' });
    const webhooks = createWebhooks({
      providers: [attio({ secret: attioSecret }), dataverse({ key: dataverseKey, acceptQueryKey: true })],
      journal,
      store: journal.store,
      deadLetters: journal,
      logger: false,
    });
    mirror.attach(webhooks);
    const runs: string[] = [];
    webhooks.onAny((event) => void runs.push(`${event.name}${event.replay ? ' (replay)' : ''}`));

    expect((await webhooks.receive(attioDelivery({ secret: attioSecret, events: [attioListEntrySample('list-entry.created')] }))).status).toBe(200);
    const viaHeader = dataverseDelivery({ key: dataverseKey, context: dataverseAssociateSample('Associate', { related: 2 }) });
    expect((await webhooks.receive(viaHeader)).status).toBe(200);
    const viaQuery = dataverseDelivery({ key: dataverseKey, context: dataverseAssociateSample('Associate', { related: 1, relationship: 'account_primary_contact' }), queryUrl: 'https://hooks.example.com/webhooks/crm?source=dataverse' });
    expect((await webhooks.receive({ ...viaQuery, method: 'POST' })).status).toBe(200);

    const listed = await journal.list();
    expect(listed.map((event) => [event.provider, event.name, event.state, event.tenant]).sort()).toEqual([
      ['attio', 'attio.list-entry.created', 'handled', '14beef7a-99f7-4534-a87e-70b564330a4c'],
      ['dataverse', 'dataverse.Associate', 'handled', '4ef5b371-e89e-e711-8122-000d3aa2331c'],
      ['dataverse', 'dataverse.Associate', 'handled', '4ef5b371-e89e-e711-8122-000d3aa2331c'],
    ]);
    // Found by any of the rows it linked.
    expect((await journal.list({ recordId: '7e0c5d3a-0f9f-e711-8122-000d3aa20332' })).length).toBe(1);
    for (const event of listed.filter((one) => one.provider === 'dataverse')) {
      const shown = await journal.show('dataverse', event.deliveryId);
      expect(JSON.stringify(shown)).not.toContain(dataverseKey);
      expect(shown!.delivery.headers['x-ms-dynamics-organization']).toBe('org0a1b2c3.crm.dynamics.com');
    }
    const urls = await db.query<{ url: string | null }>(`SELECT url FROM pv_deliveries WHERE provider = 'dataverse' ORDER BY url NULLS FIRST`);
    expect(urls.rows.map((row) => row.url)).toEqual([null, 'https://hooks.example.com/webhooks/crm?source=dataverse']);
    const everything = await db.query<{ row: string }>(`SELECT row_to_json(d)::text AS row FROM pv_deliveries d`);
    expect(everything.rows.some((row) => row.row.includes(dataverseKey))).toBe(false);

    // Replays: Attio's signature is verified again; Dataverse's kept delivery (no key) is trusted as recorded.
    const report = await journal.replay(webhooks, { state: 'handled' });
    expect(report).toMatchObject({ matched: 3, handled: 3, skipped: [] });
    expect(runs.filter((run) => run.endsWith('(replay)')).sort()).toEqual(['attio.list-entry.created (replay)', 'dataverse.Associate (replay)', 'dataverse.Associate (replay)']);

    const live = await mirror.links();
    expect(live.map((link) => [link.provider, link.definitionId]).sort()).toEqual([
      ['attio', '33ebdbe9-e529-47c9-b894-0ba25e9c15c0'],
      ['dataverse', 'account_primary_contact'],
      ['dataverse', 'contact_customer_accounts'],
      ['dataverse', 'contact_customer_accounts'],
    ]);
    expect(await mirror.rebuild(journal.deliveries(), webhooks.providers)).toEqual({ applied: 3, unverified: 0 });
    // Attio sends no time with its events: a mirror dates an Attio link when it applies it, so only its dates differ.
    const undated = (links: Awaited<ReturnType<typeof mirror.links>>) =>
      links.map((link) => (link.provider === 'attio' ? { ...link, createdAt: undefined, updatedAt: undefined } : link));
    expect(undated(await mirror.links())).toEqual(undated(live));
    await journal.close();
    await mirror.close();
  });
});
