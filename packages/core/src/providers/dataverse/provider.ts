import { secretVerifier, type SecretCacheOptions, type TenantSecretInput } from '../../crypto/tenant-secrets.js';
import { InvalidPayloadError, UnknownTenantError } from '../../errors/request-errors.js';
import { ConfigurationError } from '../../errors/usage-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import { contentId } from '../shared/content-id.js';
import type { HeaderReader } from '../shared/headers.js';
import { expectJsonObject, idField, peekField, stringField, type JsonObject } from '../shared/json.js';
import { associateToAssociations, type AssociateParameters, type DataverseAssociationEvent } from './association.js';
import type { DataverseEventMap } from './event-map.js';
import { keyOf, QUERY_KEY, verifyDataverseKey, type KeyPlace } from './key.js';
import type { DataverseAssociateContext, DataverseEntityReference, DataverseRelationship } from './types.js';

/** Headers Dataverse sends with every delivery (besides the key). */
const ORGANIZATION_HEADER = 'x-ms-dynamics-organization';
const SIZE_EXCEEDED_HEADER = 'x-ms-dynamics-msg-size-exceeded';
const DYNAMICS_HEADERS = [ORGANIZATION_HEADER, 'x-ms-dynamics-entity-name', 'x-ms-dynamics-request-name', 'x-ms-correlation-request-id', SIZE_EXCEEDED_HEADER];

/** Options of {@link dataverse}. */
export interface DataverseOptions {
  /**
   * The key the webhook was registered with (its value, as Dataverse sends it). Pass an array
   * while rotating: any of them is accepted. A webhook per organization, each with its own key,
   * passes a lookup instead: `(organizationId) => keyOf(organizationId)` gets the organization a
   * delivery is for (the path's tenant, or the body's `OrganizationId`).
   */
  readonly key: TenantSecretInput;
  /** The header the webhook was registered with (HttpHeader authentication). Default: `x-crmhooks-key`. */
  readonly keyHeader?: string;
  /**
   * Also accept the key in the `code` query parameter (WebhookKey authentication). A key in a URL
   * is written to access logs and proxies' logs; prefer the header. Default: false.
   */
  readonly acceptQueryKey?: boolean;
  /** Bounds of the cache of a `key` lookup's answers. Default: 10,000 organizations, 5 minutes. */
  readonly keyCache?: SecretCacheOptions;
}

/** The Dataverse provider's type. `Extra`: message names this receiver declares besides the usual ones. */
export type DataverseProvider<Extra extends string = never> = WebhookProvider<'dataverse', DataverseEventMap<Extra>, DataverseAssociationEvent>;

/**
 * Receives Microsoft Dataverse (Dynamics 365) webhooks: the plugin execution context of a message
 * (`dataverse.Associate`, `dataverse.Update`, ...), authenticated by the key the webhook was
 * registered with (Dataverse signs nothing). `Associate` and `Disassociate` make one association
 * event per related row. The organization (`OrganizationId`) is the tenant.
 *
 * A delivery over 256 KB arrives without its input parameters (`x-ms-dynamics-msg-size-exceeded`):
 * it is dispatched with `MessageSizeExceeded: true` and, lacking the rows, no association events.
 * Dataverse tries again once, and only after 502, 503 or 504: a failure is answered 503.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ providers: [dataverse({ key: process.env.DATAVERSE_WEBHOOK_KEY! })] });
 * webhooks.on('association.created', (link) => console.log(link.definitionId, link.from, link.to));
 * ```
 */
export function dataverse<const Extra extends string = never>(options: DataverseOptions): DataverseProvider<Extra> {
  const header = (options?.keyHeader ?? 'x-crmhooks-key').toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(header)) throw new ConfigurationError(`dataverse({ keyHeader }) must be an HTTP header name, got "${options?.keyHeader}".`);
  const place: KeyPlace = { header, query: options?.acceptQueryKey === true };
  const verifyKey = secretVerifier(
    options?.key,
    { option: 'dataverse({ key })', provider: 'dataverse', secretName: 'the key the Dataverse webhook was registered with' },
    options?.keyCache,
    { check: (request: DeliveryRequest, keys, tenant) => verifyDataverseKey(request, keys, place, tenant), present: (request) => keyOf(request, place), tenantOf: claimedOrganization },
  );

  return {
    name: 'dataverse',
    displayName: 'Dataverse',
    signatureHeaders: [header],
    // Never the key: a journal keeps these, and a stored delivery is not verified by its key again.
    verifiedHeaders: DYNAMICS_HEADERS,
    readsUrl: place.query,
    secretQueryParameters: [QUERY_KEY],
    // Dataverse tries once more after 502, 503 or 504, and never after anything else.
    retryStatus: 503,

    recognizes: (read: HeaderReader) => read(ORGANIZATION_HEADER) !== undefined || read(header) !== undefined,

    verify(request: DeliveryRequest) {
      // Kept by a journal only after its key matched; the key itself is never kept.
      if (request.stored) return;
      return verifyKey(request);
    },

    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      const body = expectJsonObject(json, 'dataverse', 'Dataverse');
      const message = stringField(body.MessageName);
      if (message === undefined) throw new InvalidPayloadError('The Dataverse body has no "MessageName", so the event cannot be named.', 'dataverse');
      const sizeExceeded = request.header(SIZE_EXCEEDED_HEADER) !== undefined;
      const payload: JsonObject = sizeExceeded ? { ...body, MessageSizeExceeded: true } : body;
      const name = `dataverse.${message}`;
      const tenant = idField(body.OrganizationId);
      // Dataverse signs nothing and sends no id of its own per delivery: its one retry resends the same bytes.
      const deliveryId = contentId(request.body);
      const event = { name, deliveryId, tenant, payload };
      if ((message !== 'Associate' && message !== 'Disassociate') || sizeExceeded) return [event];
      const parameters = associateParameters(body);
      const context = payload as unknown as DataverseAssociateContext;
      const build = (): DataverseAssociationEvent[] => associateToAssociations(name, context, parameters, deliveryId);
      return [{ ...event, association: { action: message === 'Associate' ? 'created' : 'deleted', build } }];
    },
  };
}

/** `Target`, `Relationship` and `RelatedEntities` of an `Associate` or `Disassociate`; a 400 naming what is missing. */
function associateParameters(body: JsonObject): AssociateParameters {
  const parameters = Array.isArray(body.InputParameters) ? (body.InputParameters as unknown[]) : [];
  const value = (key: string) =>
    (parameters.find((entry) => typeof entry === 'object' && entry !== null && (entry as JsonObject).key === key) as JsonObject | undefined)?.value;
  const target = value('Target') as DataverseEntityReference | undefined;
  const relationship = value('Relationship') as DataverseRelationship | undefined;
  const related = value('RelatedEntities');
  const isReference = (row: unknown): row is DataverseEntityReference =>
    typeof row === 'object' && row !== null && stringField((row as JsonObject).Id) !== undefined && stringField((row as JsonObject).LogicalName) !== undefined;
  if (!isReference(target) || stringField(relationship?.SchemaName) === undefined || !Array.isArray(related) || !related.every(isReference)) {
    throw new InvalidPayloadError(
      `The Dataverse ${String(body.MessageName)} lacks InputParameters Target (a row), Relationship (with its SchemaName) or RelatedEntities (rows), ` +
        'so the links it changed are unknown.',
      'dataverse',
    );
  }
  return { target, relationship: relationship!, related };
}

/** The organization a delivery claims, to choose its key: the path's tenant, else the body's OrganizationId. */
function claimedOrganization(request: DeliveryRequest): string {
  const tenant = request.tenant ?? idField(peekField(request.body, 'OrganizationId'));
  if (tenant !== undefined) return tenant;
  throw new UnknownTenantError(
    'The Dataverse delivery names no organization: its body has no OrganizationId (or is not JSON) and the path it was sent to names ' +
      "none, so there is no key to check it with. If the path names it (/webhooks/dataverse/:tenant), check that the route's parameter is called tenant.",
    'dataverse',
    undefined,
  );
}
