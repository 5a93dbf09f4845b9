import { createHmac, timingSafeEqual } from 'node:crypto';
import { defineProvider, InvalidPayloadError, InvalidSignatureError, MissingSignatureError, TimestampOutsideWindowError } from '@crmhooks/core';

/** How far a signed time may be from now: Close publishes no window, so this example chooses 5 minutes. */
const WINDOW_MS = 5 * 60 * 1000;
const OBJECTS = ['lead', 'contact', 'opportunity'] as const;
const ACTIONS = ['created', 'updated', 'deleted'] as const;

/** A Close event, as `event` in the body of a delivery. */
export interface CloseEvent {
  readonly id: string;
  readonly object_type: string;
  readonly action: string;
  readonly object_id: string;
  readonly lead_id?: string | null;
  readonly organization_id: string;
  readonly date_created: string;
  readonly data?: Record<string, unknown>;
  readonly previous_data?: Record<string, unknown>;
  readonly changed_fields?: readonly string[];
}

/**
 * Close: `close-sig-hash` is the hex HMAC-SHA256 of `close-sig-timestamp` followed by the raw
 * body, keyed with the subscription's `signature_key` decoded from hex. A contact or an
 * opportunity belongs to a lead: created or deleted, it is a link made or removed.
 */
export function close(options: { readonly signatureKey: string }) {
  const key = Buffer.from(options.signatureKey, 'hex');
  if (key.length === 0) throw new Error("close({ signatureKey }) must be the subscription's signature_key, in hex.");
  return defineProvider({
    name: 'close',
    displayName: 'Close',
    events: OBJECTS.flatMap((object) => ACTIONS.map((action) => `${object}.${action}` as const)),
    signatureHeaders: ['close-sig-hash'],
    verifiedHeaders: ['close-sig-timestamp'],
    verify(request) {
      const hash = request.header('close-sig-hash');
      const timestamp = request.header('close-sig-timestamp');
      if (!hash || !timestamp) throw new MissingSignatureError('The Close delivery lacks close-sig-hash or close-sig-timestamp.', 'close');
      const expected = createHmac('sha256', key).update(timestamp).update(request.body).digest();
      const given = Buffer.from(hash, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new InvalidSignatureError('close-sig-hash does not match: check that the signature_key of this subscription is the one configured, in hex.', 'close');
      }
      if (Math.abs(request.receivedAt - Number(timestamp) * 1000) > WINDOW_MS) {
        throw new TimestampOutsideWindowError('close-sig-timestamp is more than 5 minutes from now: a replay, or a clock that is off.', 'close');
      }
    },
    parse(body, request) {
      const event = (body as { event?: CloseEvent }).event;
      if (typeof event?.id !== 'string' || typeof event.object_type !== 'string') throw new InvalidPayloadError('The Close body has no event with an id and an object_type.', 'close');
      const belongs = event.lead_id && event.object_type !== 'lead' && (event.action === 'created' || event.action === 'deleted');
      return {
        event: `${event.object_type}.${event.action}` as `${(typeof OBJECTS)[number]}.${(typeof ACTIONS)[number]}`,
        id: event.id,
        tenant: event.organization_id,
        signedAt: Number(request.header('close-sig-timestamp')) * 1000,
        payload: event,
        ...(belongs && {
          link: {
            action: event.action === 'created' ? ('created' as const) : ('deleted' as const),
            from: { objectType: event.object_type, recordId: event.object_id },
            to: { objectType: 'lead', recordId: event.lead_id! },
            id: `${event.object_id}:${event.lead_id}`,
            definitionId: `${event.object_type}_lead`,
            occurredAt: event.date_created,
          },
        }),
      };
    },
  });
}
