/**
 * NestJS module for crmhooks: a route that receives verified CRM webhooks, and
 * method decorators that deliver them to any provider.
 * @packageDocumentation
 */
export { CrmHooksModule } from './crm-hooks.module.js';
export { CRM_HOOKS_OPTIONS } from './module-definition.js';
export type { CrmHooksModuleOptions, WorkerFactory } from './options.js';
export {
  OnCrmEvent,
  OnAssociationCreated,
  OnAssociationUpdated,
  OnAssociationDeleted,
  type CrmEventMethodDecorator,
  type CustomCrmEvents,
  type NestCrmEventMap,
} from './decorators/on-crm-event.decorator.js';
export type { AssociationFilter } from './decorators/subscription.js';
export { InjectCrmWebhooks } from './inject.js';
export { CRM_WEBHOOKS, DEFAULT_PATH } from './constants.js';
