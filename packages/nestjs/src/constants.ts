/** Injection token of the `CrmWebhooks` receiver the module creates. */
export const CRM_WEBHOOKS = Symbol.for('crmhooks:webhooks');

/** Metadata key under which the decorators record a method's subscriptions (a string: safe across copies). */
export const CRM_EVENT_SUBSCRIPTIONS = 'crmhooks:event-subscriptions';

/** Default route the module receives deliveries on. */
export const DEFAULT_PATH = '/webhooks/crm';

/** What to change when something consumed the body before the module's route. */
export const NEST_RAW_BODY_FIX =
  'The module registers its route while Nest creates the app, ahead of Nest\'s body parsers; something mounted ' +
  'before it read the body anyway. Mount body-reading middleware after NestFactory.create(), or on other paths.';
