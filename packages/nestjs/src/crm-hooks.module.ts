import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createWebhooks, type CrmEventMap, type CrmWebhooks, type Logger as CrmLogger } from '@crmhooks/core';
import { CRM_WEBHOOKS } from './constants.js';
import { CrmHooksExplorer } from './discovery/crm-hooks.explorer.js';
import { CrmHooksRoute } from './http/crm-hooks.route.js';
import { CRM_HOOKS_OPTIONS, CrmHooksConfigurableModule } from './module-definition.js';
import type { CrmHooksModuleOptions } from './options.js';

/** crmhooks' log lines through Nest's Logger (context `CrmHooks`), fields as structured params. */
function nestLogger(): CrmLogger {
  const logger = new Logger('CrmHooks');
  return {
    warn: ({ err: _err, ...fields }, message) => logger.warn(message, fields),
    error: ({ err, ...fields }, message) =>
      logger.error(message, fields, err instanceof Error ? err.stack : undefined),
  };
}

function createReceiver(options: CrmHooksModuleOptions): CrmWebhooks<CrmEventMap> {
  return createWebhooks({ ...options, logger: options.logger ?? nestLogger() }) as unknown as CrmWebhooks<CrmEventMap>;
}

/**
 * Receives CRM webhooks in a Nest app: `CrmHooksModule.forRoot({ providers: [...] })` or
 * `forRootAsync({ imports, inject, useFactory })`, then decorate methods of any provider
 * with `@OnAssociationDeleted()`, `@OnCrmEvent('superoffice.relation.changed')`, ...
 * Create the app with `{ rawBody: true }`. On shutdown (`app.enableShutdownHooks()`),
 * running handlers get time to finish, then their `signal` aborts.
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
export class CrmHooksModule extends CrmHooksConfigurableModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  #worker: { close(): Promise<void> } | undefined;

  constructor(
    @Inject(CRM_WEBHOOKS) private readonly webhooks: CrmWebhooks<CrmEventMap>,
    @Inject(CRM_HOOKS_OPTIONS) private readonly options: CrmHooksModuleOptions,
  ) {
    super();
  }

  onModuleInit(): void {
    if (this.options.mode === 'worker' && this.options.worker === undefined) {
      throw new Error(
        "CrmHooksModule: mode 'worker' runs the handlers from a queue, but no worker is configured. Pass one, " +
          "e.g. worker: bullmqWorker('crm-events', { connection }) from @crmhooks/bullmq.",
      );
    }
  }

  /** Starts the worker once every decorated handler is subscribed (that happens at module init). */
  onApplicationBootstrap(): void {
    if (this.options.worker !== undefined && this.options.mode !== 'receiver') this.#worker = this.options.worker(this.webhooks);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#worker?.close();
    await this.webhooks.close();
  }
}
