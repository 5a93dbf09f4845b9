import { createHash, createHmac } from 'node:crypto';
import { hubSpotDeliveryId } from '../providers/hubspot/delivery-id.js';
import type { HubSpotAssociationChange } from '../providers/hubspot/types.js';
import type { SignedDelivery } from './signed-delivery.js';

/** The escapes HubSpot decodes in the URI before signing (the verifier decodes the same). */
const decodeUri = (uri: string) =>
  uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => decodeURIComponent(escape));

/** Signs as HubSpot v3 does: HMAC-SHA256 (base64) of method + URI + body + timestamp with the client secret. */
export function signHubSpotV3(options: { secret: string; method?: string; url: string; body: string; timestamp: number }): string {
  const source = `${(options.method ?? 'POST').toUpperCase()}${decodeUri(options.url)}${options.body}${options.timestamp}`;
  return createHmac('sha256', Buffer.from(options.secret, 'utf8')).update(source, 'utf8').digest('base64');
}

/** Signs as HubSpot v1 (hex SHA-256 of secret + body) or v2 (secret + method + URI + body) did. */
export function signHubSpotLegacy(options: { version: 'v1' | 'v2'; secret: string; method?: string; url: string; body: string }): string {
  const source =
    options.version === 'v1'
      ? options.secret + options.body
      : options.secret + (options.method ?? 'POST').toUpperCase() + decodeUri(options.url) + options.body;
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

/** Options of {@link hubSpotDelivery}. */
export interface HubSpotDeliveryOptions {
  /** The app's client secret. */
  readonly secret: string;
  /** The full URL the delivery is sent to: HubSpot signs it. */
  readonly url: string;
  /** The events (a body is an array of up to 100), or the exact body text. */
  readonly events: readonly object[] | string;
  /** X-HubSpot-Request-Timestamp in ms; now by default. */
  readonly timestamp?: number;
  /** Sign with a legacy scheme instead of v3. */
  readonly legacy?: 'v1' | 'v2';
}

/** Builds a HubSpot delivery signed as HubSpot signs it (v3 by default). */
export function hubSpotDelivery(options: HubSpotDeliveryOptions): SignedDelivery {
  const body = typeof options.events === 'string' ? options.events : JSON.stringify(options.events);
  const timestamp = options.timestamp ?? Date.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.legacy) {
    headers['x-hubspot-signature'] = signHubSpotLegacy({ version: options.legacy, secret: options.secret, url: options.url, body });
    headers['x-hubspot-signature-version'] = options.legacy;
  } else {
    headers['x-hubspot-signature-v3'] = signHubSpotV3({ secret: options.secret, url: options.url, body, timestamp });
    headers['x-hubspot-request-timestamp'] = String(timestamp);
  }
  const events = typeof options.events === 'string' ? undefined : options.events;
  return { headers, body, ...(events && { deliveryIds: events.map((event) => hubSpotDeliveryId(event, () => JSON.stringify(event))) }) };
}

/** A sample association change (a contact linked to a company), with overrides. */
export function hubSpotAssociationSample(overrides: Partial<HubSpotAssociationChange> = {}): HubSpotAssociationChange {
  return {
    eventId: 1839145287,
    subscriptionId: 2254130,
    portalId: 62515,
    appId: 1160452,
    occurredAt: 1730805924052,
    subscriptionType: 'contact.associationChange',
    attemptNumber: 0,
    changeSource: 'CRM_UI',
    associationType: 'CONTACT_TO_COMPANY',
    fromObjectId: 51,
    toObjectId: 7701,
    associationRemoved: false,
    isPrimaryAssociation: true,
    ...overrides,
  };
}
