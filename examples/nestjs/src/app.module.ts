import { Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { bullmqQueue, bullmqWorker } from '@crmhooks/bullmq';
import { config, exampleProviders, LinkTable } from '@crmhooks/example-links';
import { CrmHooksModule, type CrmHooksModuleOptions } from '@crmhooks/nestjs';
import { LinkSync } from './link-sync.service.js';
import { JournalController, LinksController } from './links.controller.js';

const QUEUE = 'crm-events';
/** One link table and journal for the module's receiver and the controllers. */
const links = new LinkTable('nestjs', config());

/**
 * Without REDIS_URL the decorated handlers run in the request. With it, verified events go to
 * a BullMQ queue, and CRM_MODE chooses what this process runs: `receiver`, `worker` or `both` (default).
 */
function crmHooksOptions(settings = config(), mode = process.env.CRM_MODE): CrmHooksModuleOptions {
  const providers = exampleProviders(settings);
  // The journal keeps every delivery, and is the idempotency store: see GET /journal.
  if (!settings.redisUrl) return { providers, ...links.receiverOptions() };
  return {
    providers,
    ...links.receiverOptions(),
    mode: mode === 'receiver' || mode === 'worker' ? mode : 'both',
    queue: bullmqQueue(new Queue(QUEUE, { connection: { url: settings.redisUrl, enableOfflineQueue: false } })),
    worker: bullmqWorker(QUEUE, { connection: { url: settings.redisUrl, maxRetriesPerRequest: null } }),
  };
}

@Module({
  imports: [CrmHooksModule.forRootAsync({ useFactory: () => crmHooksOptions() })],
  providers: [LinkSync, { provide: LinkTable, useValue: links }],
  controllers: [LinksController, JournalController],
})
export class AppModule {}
