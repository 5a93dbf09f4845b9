import { prepareSecrets, type SecretInput } from '../../crypto/secrets.js';
import { InvalidPayloadError } from '../../errors/request-errors.js';
import { ConfigurationError } from '../../errors/usage-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import type { HeaderReader } from '../shared/headers.js';
import { idField, stringField } from '../shared/json.js';
import { known } from '../shared/signed-time.js';
import { arrayItemTexts } from '../../util/json-text.js';
import { associationChangeToEvent, type HubSpotAssociationEvent } from './association.js';
import { hubSpotDeliveryId } from './delivery-id.js';
import type { HubSpotEventMap } from './event-map.js';
import { LEGACY_HEADER, TIMESTAMP_HEADER, V3_HEADER, VERSION_HEADER, verifyHubSpotSignature, type HubSpotVerification } from './signature.js';
import type { HubSpotAssociationChange } from './types.js';

/** Options of {@link hubspot}. */
export interface HubSpotOptions {
  /** The app's client secret; an array while rotating. */
  readonly clientSecret: SecretInput;
  /**
   * The origin HubSpot calls (`https://api.example.com`), when a proxy or load balancer
   * changes the scheme, host or path prefix this server sees. HubSpot signs the full URL.
   */
  readonly publicBaseUrl?: string;
  /** How old (or how far in the future) X-HubSpot-Request-Timestamp may be. Default: 5 minutes, as HubSpot documents. */
  readonly timestampToleranceMs?: number;
  /** Also accept v1/v2 `X-HubSpot-Signature` (older apps). Default: false. */
  readonly acceptLegacySignatures?: boolean;
}

/** The HubSpot provider's type. */
/** The HubSpot provider's type. `Extra`: subscription types this receiver declares besides the documented ones. */
export type HubSpotProvider<Extra extends string = never> = WebhookProvider<'hubspot', HubSpotEventMap<Extra>, HubSpotAssociationEvent>;

const MAX_EVENTS = 100;

/**
 * Receives HubSpot webhooks: batches of up to 100 events, each dispatched on its
 * own (a retried batch runs only the events not handled yet), v3 signatures over
 * method, URL, body and timestamp, and association changes as association events.
 *
 * Delivery id: HubSpot does not guarantee `eventId` unique, so an event's id is
 * `portalId:subscriptionId:eventId:occurredAt`, which a retry (only `attemptNumber`
 * changes) repeats and distinct events do not share; an event lacking those fields is
 * named by its signed text (see `hubSpotDeliveryId`).
 */
export function hubspot<const Extra extends string = never>(options: HubSpotOptions): HubSpotProvider<Extra> {
  const secrets = prepareSecrets(options?.clientSecret, 'hubspot({ clientSecret })', "your HubSpot app's client secret");
  if (options.publicBaseUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.publicBaseUrl)) {
    throw new ConfigurationError('hubspot({ publicBaseUrl }) must be an origin such as https://api.example.com.');
  }
  const verification: HubSpotVerification = {
    secrets,
    legacySecrets: options.acceptLegacySignatures
      ? typeof options.clientSecret === 'string'
        ? [options.clientSecret]
        : [...options.clientSecret]
      : undefined,
    toleranceMs: options.timestampToleranceMs ?? 5 * 60 * 1000,
    publicBaseUrl: options.publicBaseUrl,
  };

  return {
    name: 'hubspot',
    displayName: 'HubSpot',
    signatureHeaders: ['X-HubSpot-Signature-v3'],
    verifiedHeaders: [V3_HEADER, TIMESTAMP_HEADER, LEGACY_HEADER, VERSION_HEADER],
    signsUrl: true,
    // HubSpot retries 4xx and 5xx alike; a 5xx says plainly that the failure is on this side.
    retryStatus: 503,
    recognizes: (header: HeaderReader) =>
      header(V3_HEADER) !== undefined || header(TIMESTAMP_HEADER) !== undefined || header(LEGACY_HEADER) !== undefined,
    verify: (request: DeliveryRequest) => verifyHubSpotSignature(request, verification),
    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      if (!Array.isArray(json)) {
        throw new InvalidPayloadError('HubSpot sends a JSON array of events, but the body is not an array.', 'hubspot');
      }
      if (json.length === 0 || json.length > MAX_EVENTS) {
        throw new InvalidPayloadError(`HubSpot sends 1 to ${MAX_EVENTS} events per request, but the body has ${json.length}.`, 'hubspot');
      }
      let texts: string[] | undefined;
      const itemText = (index: number) => (texts ??= arrayItemTexts(new TextDecoder().decode(request.body)))[index]!;
      // v3 signs the request's timestamp header; legacy signatures sign no time.
      const signedAt = request.header(V3_HEADER) === undefined ? undefined : known(Number(request.header(TIMESTAMP_HEADER)));
      return json.map((item: unknown, index) => toEvent(item, index, () => itemText(index), signedAt));
    },
  };
}

function toEvent(item: unknown, index: number, itemText: () => string, signedAt: number | undefined): ProviderEvent {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidPayloadError(`HubSpot event ${index} is not a JSON object.`, 'hubspot');
  }
  const event = item as Record<string, unknown>;
  const type = stringField(event.subscriptionType) ?? stringField(event.eventType);
  if (type === undefined) {
    throw new InvalidPayloadError(`HubSpot event ${index} has no "subscriptionType" (or "eventType"), so it cannot be named.`, 'hubspot');
  }
  const deliveryId = hubSpotDeliveryId(event, itemText);
  const name = `hubspot.${type}`;
  const tenant = idField(event.portalId);
  if (!type.endsWith('.associationChange')) return { name, deliveryId, tenant, signedAt, payload: event };
  const change = event as unknown as HubSpotAssociationChange;
  return {
    name,
    deliveryId,
    tenant,
    signedAt,
    payload: event,
    association: {
      action: change.associationRemoved ? 'deleted' : 'created',
      build: () => associationChangeToEvent(name, change, deliveryId, tenant),
    },
  };
}
