import type { EventReference } from '../errors/delivery-errors.js';
import type { WebhookError, WebhookErrorCode } from '../errors/webhook-error.js';

/** What became of one event of a delivery. */
export type EventResult = 'handled' | 'duplicate' | 'in_progress' | 'failed';

/** One event of a delivery and what became of it. */
export interface EventOutcome extends EventReference {
  readonly result: EventResult;
}

/** JSON body of a successful answer. */
export interface SuccessBody {
  readonly ok: true;
  readonly events: readonly { readonly name: string; readonly deliveryId: string; readonly result: EventResult }[];
}

/** JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: WebhookErrorCode; readonly message: string };
}

/**
 * What `receive` returns: everything an adapter needs to answer the request.
 * `status` is 200 for handled and duplicate deliveries, never 410.
 */
export interface ReceiveOutcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: SuccessBody | ErrorBody;
  /** The delivery's events and what became of each (empty when it was turned away before parsing). */
  readonly events: readonly EventOutcome[];
  /** Why the delivery was not answered 200, if it was not. */
  readonly error?: WebhookError;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const RETRY_LATER: Readonly<Record<string, string>> = Object.freeze({ 'retry-after': '5' });

/** The answer to a delivery that was turned away or failed. */
export function failureOutcome(error: WebhookError, events: readonly EventOutcome[] = []): ReceiveOutcome {
  return {
    status: error.status,
    headers: error.status === 409 || error.status === 503 ? RETRY_LATER : NO_HEADERS,
    body: { error: { code: error.code, message: error.publicMessage } },
    events,
    error,
  };
}

const publicEvent = ({ name, deliveryId, result }: EventOutcome) => ({ name, deliveryId, result });

/** The answer to a delivery whose events were all handled (now or before). */
export function successOutcome(events: readonly EventOutcome[]): ReceiveOutcome {
  return {
    status: 200,
    headers: NO_HEADERS,
    body: { ok: true, events: events.map(publicEvent) },
    events,
  };
}
