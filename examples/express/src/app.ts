import express from 'express';
import { createWebhooks, highlevel, hubspot, superoffice } from '@crmhooks/core';
import { crmhooks } from '@crmhooks/express';
import { config, LinkIndex } from '@crmhooks/example-links';

export function createApp(settings = config()) {
  const links = new LinkIndex('express');
  const webhooks = createWebhooks({
    providers: [
      superoffice({ secret: settings.superOfficeSecret }),
      highlevel(settings.highLevelPublicKeys ? { publicKeys: settings.highLevelPublicKeys } : {}),
      ...(settings.hubSpotClientSecret ? [hubspot({ clientSecret: settings.hubSpotClientSecret })] : []),
    ],
  });
  webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => void links.apply(link));
  webhooks.on('superoffice.test', (_event, { deliveryId }) => console.log(`[express] ${deliveryId} SuperOffice test: webhook saved`));

  const app = express();
  app.post('/webhooks/crm', crmhooks(webhooks)); // before express.json(): raw bytes
  app.use(express.json());
  app.get('/links', (_request, response) => void response.json(links.list()));
  return { app, links };
}
