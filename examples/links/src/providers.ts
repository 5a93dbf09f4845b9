import { attio, dataverse, highlevel, hubspot, superoffice } from '@crmhooks/core';
import type { ExampleConfig } from './config.js';

/** The CRMs every example accepts, configured from the environment (HubSpot, Attio and Dataverse only with their secrets). */
export function exampleProviders(settings: ExampleConfig) {
  const tenants = settings.superOfficeTenantSecrets;
  return [
    // With a secret per customer, a delivery verifies only with the secret of the tenant it names.
    superoffice({ secret: tenants ? (tenant) => (Object.hasOwn(tenants, tenant) ? tenants[tenant] : undefined) : settings.superOfficeSecret }),
    // Without keys, HighLevel's published key is trusted.
    highlevel(settings.highLevelPublicKeys ? { publicKeys: settings.highLevelPublicKeys } : {}),
    ...(settings.hubSpotClientSecret ? [hubspot({ clientSecret: settings.hubSpotClientSecret })] : []),
    ...(settings.attioSecret ? [attio({ secret: settings.attioSecret })] : []),
    ...(settings.dataverseKey ? [dataverse({ key: settings.dataverseKey })] : []),
  ];
}
