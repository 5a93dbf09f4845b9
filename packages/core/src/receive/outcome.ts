import type { EventReference } from '../errors/delivery-errors.js';
import type { WebhookError, WebhookErrorCode } from '../errors/webhook-error.js';

/** What became of one event of a delivery. */
export type EventResult = 'handled' | 'duplicate' | 'in_progress' | 'failed';

/** One event of a delivery and what became of it. */
export interface EventOutcome extends EventReference {
  readonly result: EventResult;
}

/**
 * JSON body of a successful answer: `{ ok: true }`, with `duplicate: true` when every
 * event had been handled before. CRMs ignore it; per-event detail is in `ReceiveOutcome.events`.
 */
export interface SuccessBody {
  readonly ok: true;
  readonly duplicate?: true;
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

export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
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

/** The two success bodies, and their JSON made once: answering costs no serialization. */
export const HANDLED_BODY: SuccessBody = Object.freeze({ ok: true });
export const DUPLICATE_BODY: SuccessBody = Object.freeze({ ok: true, duplicate: true });
export const SUCCESS_JSON: ReadonlyMap<SuccessBody, string> = new Map([
  [HANDLED_BODY, JSON.stringify(HANDLED_BODY)],
  [DUPLICATE_BODY, JSON.stringify(DUPLICATE_BODY)],
]);

/** The answer to a delivery whose events were all handled (now or before). */
export function successOutcome(events: readonly EventOutcome[]): ReceiveOutcome {
  const allDuplicates = events.length > 0 && events.every((event) => event.result === 'duplicate');
  return { status: 200, headers: NO_HEADERS, body: allDuplicates ? DUPLICATE_BODY : HANDLED_BODY, events };
}
