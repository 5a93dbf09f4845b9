import type { CrmWebhooksOptions } from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';

/**
 * Options of `CrmHooksModule.forRoot` / `forRootAsync`: the receiver's
 * (providers with their secrets and keys, store, body limit) plus the route.
 */
export interface CrmHooksModuleOptions extends CrmWebhooksOptions, Pick<AdapterOptions, 'success'> {
  /** Path the module registers a POST route on. Absolute: a global prefix does not apply. Default: `/webhooks/crm`. */
  readonly path?: string;
}
