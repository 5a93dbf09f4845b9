import { createWebHandler, createWebhooks, highlevel, hubspot, superoffice } from '@crmhooks/core';
import { LinkTable } from '@crmhooks/example-links';

/** The receiver an app would write: both CRMs, link changes applied to its link table. */
export function createApp(config: { superOfficeSecret: string; highLevelPublicKeys?: string[]; hubSpotClientSecret?: string }) {
  const links = new LinkTable('web');
  const log: string[] = [];
  const webhooks = createWebhooks({
    providers: [
      superoffice({ secret: config.superOfficeSecret }),
      // Without keys, HighLevel's published key is trusted.
      highlevel(config.highLevelPublicKeys ? { publicKeys: config.highLevelPublicKeys } : {}),
      ...(config.hubSpotClientSecret ? [hubspot({ clientSecret: config.hubSpotClientSecret })] : []),
    ],
  });

  webhooks.on(['association.created', 'association.updated', 'association.deleted'], async (link) => {
    log.push(await links.apply(link));
  });
  webhooks.on('superoffice.test', () => void log.push('superoffice test event: webhook saved'));

  return { handle: createWebHandler(webhooks), links, log };
}
