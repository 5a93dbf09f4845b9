/**
 * Express middleware for crmhooks: verified, typed, de-duplicated CRM webhooks.
 * @packageDocumentation
 */
export { crmhooks, keepRawBody, type CrmHooksExpressOptions, type ExpressLikeRequest } from './middleware.js';
