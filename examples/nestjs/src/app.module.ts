import { Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { bullmqQueue, bullmqWorker } from '@crmhooks/bullmq';
import { config, exampleProviders, LinkTable } from '@crmhooks/example-links';
import { CrmHooksModule, type CrmHooksModuleOptions } from '@crmhooks/nestjs';
import { LinkSync } from './link-sync.service.js';
import { LinksController } from './links.controller.js';

const QUEUE = 'crm-events';

/**
 * Without REDIS_URL the decorated handlers run in the request. With it, verified events go to
 * a BullMQ queue, and CRM_MODE chooses what this process runs: `receiver`, `worker` or `both` (default).
 */
function crmHooksOptions(settings = config(), mode = process.env.CRM_MODE): CrmHooksModuleOptions {
  const providers = exampleProviders(settings);
  if (!settings.redisUrl) return { providers };
  return {
    providers,
    mode: mode === 'receiver' || mode === 'worker' ? mode : 'both',
    queue: bullmqQueue(new Queue(QUEUE, { connection: { url: settings.redisUrl, enableOfflineQueue: false } })),
    worker: bullmqWorker(QUEUE, { connection: { url: settings.redisUrl, maxRetriesPerRequest: null } }),
  };
}

@Module({
  imports: [CrmHooksModule.forRootAsync({ useFactory: () => crmHooksOptions() })],
  providers: [LinkSync, { provide: LinkTable, useFactory: () => new LinkTable('nestjs', config()) }],
  controllers: [LinksController],
})
export class AppModule {}
