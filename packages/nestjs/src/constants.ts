/** Injection token of the `CrmWebhooks` receiver the module creates. */
export const CRM_WEBHOOKS = Symbol.for('crmhooks:webhooks');

/** Metadata key under which the decorators record a method's subscriptions (a string: safe across copies). */
export const CRM_EVENT_SUBSCRIPTIONS = 'crmhooks:event-subscriptions';

/** Default route the module receives deliveries on. */
export const DEFAULT_PATH = '/webhooks/crm';

/** What to change when the raw body is missing in a Nest app. */
export const NEST_RAW_BODY_FIX =
  'Nest parsed the JSON body without keeping the raw bytes, so signatures cannot be checked. Create the app with ' +
  'rawBody enabled: NestFactory.create(AppModule, { rawBody: true }) (Express and Fastify platforms alike).';
