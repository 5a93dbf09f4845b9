import { createHmac, randomUUID } from 'node:crypto';
import { contentId } from '../providers/shared/content-id.js';
import type { SignedDelivery } from './signed-delivery.js';

/** Signs a body as SuperOffice does: HMAC-SHA256 keyed with the secret (UTF-8), base64. */
export function signSuperOffice(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');
}

/** Options of {@link superOfficeDelivery}. */
export interface SuperOfficeDeliveryOptions {
  /** The webhook secret to sign with. */
  readonly secret: string;
  /** The payload: an object (serialized here) or the exact body text. */
  readonly payload: object | string;
  /** `X-SuperOffice-Retry` count, for simulating a retry. */
  readonly retry?: number;
}

/**
 * Builds a signed SuperOffice delivery with the headers SuperOffice sends
 * (`X-SuperOffice-Event`, `-EventId`, `-Signature`, and `X-Hook-Test` for `test`).
 * Only the body is signed, so crmhooks reads the event and its id from the body alone.
 */
export function superOfficeDelivery(options: SuperOfficeDeliveryOptions): SignedDelivery {
  const body = typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload);
  const fields = readEnvelope(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'NetServer-Webhook/8.8.6684.1719',
    'x-superoffice-event': fields.event ?? 'unknown',
    'x-superoffice-eventid': fields.eventId ?? randomUUID(),
    'x-superoffice-signature': signSuperOffice(body, options.secret),
  };
  if (fields.event === 'test') headers['x-hook-test'] = 'true';
  if (options.retry !== undefined) headers['x-superoffice-retry'] = String(options.retry);
  return { headers, body, deliveryIds: [fields.eventId ?? contentId(Buffer.from(body))] };
}

function readEnvelope(body: string): { event?: string; eventId?: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { Event, EventId } = parsed as { Event?: unknown; EventId?: unknown };
    return {
      ...(typeof Event === 'string' && { event: Event }),
      ...(typeof EventId === 'string' && { eventId: EventId }),
    };
  } catch {
    return {}; // Deliberately malformed bodies are signed as they are.
  }
}
