import { createWebhooks } from '@crmhooks/core';
import { config, exampleProviders, LinkTable } from '@crmhooks/example-links';

const settings = config();

/** The app's link table: what the CRMs say is linked (embedded PGlite, or Postgres with DATABASE_URL). */
export const links = new LinkTable('nextjs', settings);

/** One receiver per server process, shared by the route handlers. */
export const webhooks = createWebhooks({
  providers: exampleProviders(settings),
});
webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => links.apply(link));
webhooks.on('superoffice.test', (_event, { deliveryId }) => console.log(`[nextjs] ${deliveryId} SuperOffice test: webhook saved`));
