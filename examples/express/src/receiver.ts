import { createWebhooks, type CrmWebhooksOptions } from '@crmhooks/core';
import { exampleProviders, type ExampleConfig, type LinkTable } from '@crmhooks/example-links';

/** The BullMQ queue the receiver hands events to when REDIS_URL is set. */
export const QUEUE = 'crm-events';

/** The receiver every process builds: the same CRMs, so handlers are typed alike in each. */
export function receiver(settings: ExampleConfig, options: Omit<CrmWebhooksOptions, 'providers'> = {}) {
  return createWebhooks({
    providers: exampleProviders(settings),
    ...options,
  });
}

/** The example's handlers, run in the request or on a worker: keep the link table in step with the CRMs. */
export function registerHandlers(webhooks: ReturnType<typeof receiver>, links: LinkTable): void {
  // Returned, so that a database failure fails the delivery (or job) and the CRM retries it.
  webhooks.on(['association.created', 'association.updated', 'association.deleted'], (link) => links.apply(link));
  webhooks.on('superoffice.test', (_event, { deliveryId }) => console.log(`[express] ${deliveryId} SuperOffice test: webhook saved`));
}
