import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CrmHooksModuleOptions } from './options.js';

/** `forRoot` / `forRootAsync` built the standard Nest way; `isGlobal` makes the receiver injectable everywhere. */
export const {
  ConfigurableModuleClass: CrmHooksConfigurableModule,
  MODULE_OPTIONS_TOKEN: CRM_HOOKS_OPTIONS,
  OPTIONS_TYPE: CRM_HOOKS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CRM_HOOKS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CrmHooksModuleOptions>({ moduleName: 'CrmHooks' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
