/**
 * Koa middleware for crmhooks: verified, typed, de-duplicated CRM webhooks.
 * @packageDocumentation
 */
export { crmhooks, type CrmHooksKoaOptions, type KoaLikeContext } from './middleware.js';
