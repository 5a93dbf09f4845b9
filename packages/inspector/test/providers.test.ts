import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, test } from 'vitest';
import { attio, createWebhooks, dataverse } from '@crmhooks/core';
import { attioDelivery, attioListEntrySample, dataverseAssociateSample, dataverseDelivery } from '@crmhooks/core/testing';
import { createInspector } from '@crmhooks/inspector';
import { createJournal, pglite } from '@crmhooks/journal';

const db = new PGlite();
afterAll(async () => db.close());

describe('the inspector with Attio and Dataverse', () => {
  test("a Dataverse Associate's page shows one association per related row and no key; both CRMs are in the provider filter", async () => {
    const journal = createJournal({ database: pglite(db), pruneEveryMs: false });
    const webhooks = createWebhooks({ providers: [attio({ secret: 'a' }), dataverse({ key: 'the-dataverse-key' })], journal, store: journal.store, logger: false });
    const inspector = createInspector({ journal, webhooks, authorize: () => true });
    expect((await webhooks.receive(attioDelivery({ secret: 'a', events: [attioListEntrySample()] }))).status).toBe(200);
    const delivery = dataverseDelivery({ key: 'the-dataverse-key', context: dataverseAssociateSample('Associate', { related: 2 }) });
    expect((await webhooks.receive(delivery)).status).toBe(200);
    const page = async (path: string) => (await inspector.fetch(new Request(`http://local/inspector${path}`))).text();

    const list = await page('/');
    expect(list).toMatch(/<option[^>]*>attio<\/option>/);
    expect(list).toMatch(/<option[^>]*>dataverse<\/option>/);
    const html = await page(`/delivery/dataverse/${encodeURIComponent(delivery.deliveryIds![0]!)}`);
    const account = 'account#6d81597f-0f9f-e711-8122-000d3aa2331c';
    expect(html).toContain(`association.created <span class="muted">(record)</span> ${account} → contact#7e0c5d3a-0f9f-e711-8122-000d3aa20331`);
    expect(html).toContain(`association.created <span class="muted">(record)</span> ${account} → contact#7e0c5d3a-0f9f-e711-8122-000d3aa20332`);
    expect(html).not.toContain('the-dataverse-key');
    await journal.close();
  });
});
