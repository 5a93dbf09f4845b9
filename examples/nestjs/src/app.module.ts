import { Module } from '@nestjs/common';
import { highlevel, hubspot, superoffice } from '@crmhooks/core';
import { config, LinkIndex } from '@crmhooks/example-links';
import { CrmHooksModule } from '@crmhooks/nestjs';
import { LinkSync } from './link-sync.service.js';
import { LinksController } from './links.controller.js';

@Module({
  imports: [
    CrmHooksModule.forRootAsync({
      useFactory: (settings = config()) => ({
        providers: [
          superoffice({ secret: settings.superOfficeSecret }),
          highlevel(settings.highLevelPublicKeys ? { publicKeys: settings.highLevelPublicKeys } : {}),
          ...(settings.hubSpotClientSecret ? [hubspot({ clientSecret: settings.hubSpotClientSecret })] : []),
        ],
      }),
    }),
  ],
  providers: [LinkSync, { provide: LinkIndex, useValue: new LinkIndex('nestjs') }],
  controllers: [LinksController],
})
export class AppModule {}
