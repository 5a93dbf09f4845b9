/**
 * Fastify plugin for crmhooks: verified, typed, de-duplicated CRM webhooks.
 * @packageDocumentation
 */
export { crmhooks, type CrmHooksFastifyOptions } from './plugin.js';
