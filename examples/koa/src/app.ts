import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { createWebhooks } from '@crmhooks/core';
import { config, exampleProviders, LinkTable } from '@crmhooks/example-links';
import { crmhooks } from '@crmhooks/koa';

export function createApp(settings = config()) {
  const links = new LinkTable('koa', settings);
  const webhooks = createWebhooks({
    providers: exampleProviders(settings),
    ...links.receiverOptions(), // the journal keeps every delivery, and is the idempotency store
  });
  // Returned, so that a database failure fails the delivery and the CRM retries it.
  webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => links.apply(link));
  webhooks.on('superoffice.test', (_event, { deliveryId }) => console.log(`[koa] ${deliveryId} SuperOffice test: webhook saved`));

  const router = new Router();
  router.post('/webhooks/crm', crmhooks(webhooks));
  router.get('/links', async (context) => void (context.body = await links.rows(typeof context.query.tenant === 'string' ? context.query.tenant : undefined)));
  router.get('/journal', async (context) => void (context.body = await links.journal.summary()));
  // @koa/bodyparser keeps ctx.request.rawBody, so it may run first.
  const app = new Koa().use(bodyParser()).use(router.routes());
  return { app, links };
}
