import { Hono } from 'hono';
import { createWebHandler, createWebhooks } from '@crmhooks/core';
import { config, exampleProviders, LinkTable } from '@crmhooks/example-links';

/** A Hono app: the Web-standard handler takes Hono's own `Request`, raw body and all. */
export function createApp(settings = config(), links = new LinkTable('hono', settings)) {
  const webhooks = createWebhooks({
    providers: exampleProviders(settings),
  });
  // Returned, so that a database failure fails the delivery and the CRM retries it.
  webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => links.apply(link));
  webhooks.on('superoffice.test', (_event, { deliveryId }) => console.log(`[hono] ${deliveryId} SuperOffice test: webhook saved`));

  const handle = createWebHandler(webhooks);
  const app = new Hono();
  app.all('/webhooks/crm', (context) => handle(context.req.raw)); // every method: 405 to all but POST
  app.get('/links', async (context) => context.json(await links.rows()));
  return { app, links };
}
