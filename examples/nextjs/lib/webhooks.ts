import { createWebhooks, highlevel, hubspot, superoffice } from '@crmhooks/core';
import { config, LinkIndex } from '@crmhooks/example-links';

const settings = config();

/** The app's link index: what the CRMs say is linked, kept in memory for the example. */
export const links = new LinkIndex('nextjs');

/** One receiver per server process, shared by the route handlers. */
export const webhooks = createWebhooks({
  providers: [
    superoffice({ secret: settings.superOfficeSecret }),
    highlevel(settings.highLevelPublicKeys ? { publicKeys: settings.highLevelPublicKeys } : {}),
    ...(settings.hubSpotClientSecret ? [hubspot({ clientSecret: settings.hubSpotClientSecret })] : []),
  ],
});
webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => void links.apply(link));
webhooks.on('superoffice.test', (_event, { deliveryId }) => console.log(`[nextjs] ${deliveryId} SuperOffice test: webhook saved`));
