/**
 * The pieces of the `crmhooks` CLI, for scripts and demos: build a delivery
 * signed like the CRM signs it, send it, render it as curl, make keys.
 * @packageDocumentation
 */
export { buildDelivery, PROVIDERS, SAMPLE_EVENTS, type DeliveryOptions, type ProviderName } from './deliveries.js';
export { sendDelivery, type Answer } from './send.js';
export { toCurl } from './curl.js';
export { generateKeyPairPem, writeKeyPair } from './keygen.js';
export { CliError, EXIT } from './cli-error.js';
export { createProgram, run, type Output } from './program.js';
