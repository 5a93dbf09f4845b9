import { randomUUID } from 'node:crypto';
import { contentId } from '../providers/shared/content-id.js';
import type { DataverseAssociateContext, DataverseExecutionContext } from '../providers/dataverse/types.js';
import type { SignedDelivery } from './signed-delivery.js';

/** Options of {@link dataverseDelivery}. */
export interface DataverseDeliveryOptions {
  /** The key the webhook was registered with. */
  readonly key: string;
  /** The execution context (serialized here), or the exact body text. */
  readonly context: object | string;
  /** The header it goes in (HttpHeader authentication). Default: `x-crmhooks-key`. */
  readonly keyHeader?: string;
  /** Put the key in the `code` query parameter of this URL instead (WebhookKey authentication). */
  readonly queryUrl?: string;
  /** Send it as Dataverse sends a request over 256 KB: flagged, without its input parameters, parent context and images. */
  readonly sizeExceeded?: boolean;
}

/** Builds a Dataverse delivery as Dataverse sends it: the key, the `x-ms-dynamics-*` headers, the context as JSON. */
export function dataverseDelivery(options: DataverseDeliveryOptions): SignedDelivery & { readonly url?: string } {
  const context = typeof options.context === 'string' ? undefined : (options.context as DataverseExecutionContext);
  const trimmed = context && options.sizeExceeded ? withoutLargeParts(context) : context;
  const body = typeof options.context === 'string' ? options.context : JSON.stringify(trimmed);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-ms-dynamics-organization': 'org0a1b2c3.crm.dynamics.com',
    'x-ms-dynamics-entity-name': context?.PrimaryEntityName ?? 'contact',
    'x-ms-dynamics-request-name': context?.MessageName ?? 'Update',
    'x-ms-correlation-request-id': context?.CorrelationId ?? randomUUID(),
    ...(options.sizeExceeded && { 'x-ms-dynamics-msg-size-exceeded': 'true' }),
  };
  if (options.queryUrl === undefined) headers[(options.keyHeader ?? 'x-crmhooks-key').toLowerCase()] = options.key;
  const url = options.queryUrl === undefined ? undefined : withCode(options.queryUrl, options.key);
  return { headers, body, deliveryIds: [contentId(body)], ...(url && { url }) };
}

const withCode = (url: string, key: string) => {
  const parsed = new URL(url);
  parsed.searchParams.set('code', key);
  return parsed.href;
};

function withoutLargeParts(context: DataverseExecutionContext): DataverseExecutionContext {
  const { InputParameters: _input, ParentContext: _parent, PreEntityImages: _pre, PostEntityImages: _post, ...rest } = context;
  return rest as DataverseExecutionContext;
}

const reference = (logicalName: string, id: string) => ({
  __type: 'EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts',
  Id: id,
  KeyAttributes: [],
  LogicalName: logicalName,
  Name: null,
  RowVersion: null,
});

/**
 * A sample `Associate` (or `Disassociate`): an account linked to `related` contacts through
 * `contact_customer_accounts`, as an asynchronous post-operation step posts it.
 */
export function dataverseAssociateSample(
  message: 'Associate' | 'Disassociate' = 'Associate',
  options: { readonly related?: number; readonly organizationId?: string; readonly relationship?: string } = {},
): DataverseAssociateContext {
  const accountId = '6d81597f-0f9f-e711-8122-000d3aa2331c';
  const related = Array.from({ length: options.related ?? 2 }, (_, index) => reference('contact', `7e0c5d3a-0f9f-e711-8122-000d3aa2${String(331 + index).padStart(4, '0')}`));
  return {
    BusinessUnitId: 'e2b9dd85-e89e-e711-8122-000d3aa2331c',
    CorrelationId: 'b374239d-4233-41a9-8b17-a86cb4f737b5',
    Depth: 1,
    InitiatingUserId: '75c2dd85-e89e-e711-8122-000d3aa2331c',
    InputParameters: [
      { key: 'Target', value: reference('account', accountId) },
      { key: 'Relationship', value: { __type: 'Relationship:http://schemas.microsoft.com/xrm/2011/Contracts', PrimaryEntityRole: null, SchemaName: options.relationship ?? 'contact_customer_accounts' } },
      { key: 'RelatedEntities', value: related },
    ],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: message,
    Mode: 1,
    OperationCreatedOn: '/Date(1764930000000+0000)/',
    OperationId: randomUUID(),
    OrganizationId: options.organizationId ?? '4ef5b371-e89e-e711-8122-000d3aa2331c',
    OrganizationName: 'OrgName',
    OutputParameters: [],
    ParentContext: null,
    PostEntityImages: [],
    PreEntityImages: [],
    PrimaryEntityId: accountId,
    PrimaryEntityName: 'account',
    RequestId: null,
    SecondaryEntityName: 'none',
    SharedVariables: [],
    Stage: 40,
    UserId: '75c2dd85-e89e-e711-8122-000d3aa2331c',
  };
}
