/**
 * Test helpers: sign deliveries exactly as each CRM does, build `Request`s, and
 * get sample payloads for every typed event. Import from `@crmhooks/core/testing`.
 * @packageDocumentation
 */
export { signSuperOffice, superOfficeDelivery, type SuperOfficeDeliveryOptions } from './superoffice.js';
export {
  generateHighLevelKeyPair,
  generateLegacyRsaKeyPair,
  signHighLevel,
  signHighLevelLegacy,
  highLevelDelivery,
  type HighLevelDeliveryOptions,
  type TestKeyPair,
} from './highlevel.js';
export { toRequest, type SignedDelivery } from './signed-delivery.js';
export {
  highLevelSample,
  superOfficeSample,
  HIGHLEVEL_SAMPLE_EVENTS,
  SUPEROFFICE_SAMPLE_EVENTS,
  type HighLevelSamples,
  type SuperOfficeSamples,
} from './samples.js';
export {
  signHubSpotV3,
  signHubSpotLegacy,
  hubSpotDelivery,
  hubSpotAssociationSample,
  type HubSpotDeliveryOptions,
} from './hubspot.js';
export { signAttio, attioDelivery, attioListEntrySample, attioRecordSample, type AttioDeliveryOptions } from './attio.js';
export { dataverseDelivery, dataverseAssociateSample, type DataverseDeliveryOptions } from './dataverse.js';
