import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createWebhooks, HandlerError, type CrmEventMap, type CrmWebhooks } from '@crmhooks/core';
import { CRM_WEBHOOKS } from './constants.js';
import { CrmHooksExplorer } from './discovery/crm-hooks.explorer.js';
import { CrmHooksRoute } from './http/crm-hooks.route.js';
import { CRM_HOOKS_OPTIONS, CrmHooksConfigurableModule } from './module-definition.js';
import type { CrmHooksModuleOptions } from './options.js';

function createReceiver(options: CrmHooksModuleOptions): CrmWebhooks<CrmEventMap> {
  const webhooks = createWebhooks(options) as unknown as CrmWebhooks<CrmEventMap>;
  const logger = new Logger('CrmHooks');
  // The route logs each failed delivery in one line; the handlers' own stacks go here.
  webhooks.onError((error) => {
    if (!(error instanceof HandlerError)) return;
    for (const cause of error.errors) {
      logger.error(`${error.event.name} (delivery ${error.event.deliveryId}) handler failed`, (cause as Error)?.stack);
    }
  });
  return webhooks;
}

/**
 * Receives CRM webhooks in a Nest app: `CrmHooksModule.forRoot({ providers: [...] })` or
 * `forRootAsync({ imports, inject, useFactory })`, then decorate methods of any provider
 * with `@OnAssociationDeleted()`, `@OnCrmEvent('superoffice.relation.changed')`, ...
 * Create the app with `{ rawBody: true }`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: CRM_WEBHOOKS, useFactory: createReceiver, inject: [CRM_HOOKS_OPTIONS] },
    CrmHooksExplorer,
    CrmHooksRoute,
  ],
  exports: [CRM_WEBHOOKS],
})
export class CrmHooksModule extends CrmHooksConfigurableModule {}
