import type { EventReference } from '../errors/delivery-errors.js';
import type { WebhookError, WebhookErrorCode } from '../errors/webhook-error.js';
import type { WebhookProvider } from '../providers/provider.js';

/**
 * What became of one event of a delivery. `parked`: its handlers failed permanently, so it
 * went to the dead-letter sink and the delivery was answered so that the CRM stops retrying.
 */
export type EventResult = 'handled' | 'duplicate' | 'in_progress' | 'failed' | 'parked';

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
 * `status` is 200 for handled, duplicate and parked deliveries, never 410.
 */
export interface ReceiveOutcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: SuccessBody | ErrorBody;
  /** The provider that sent it, once recognised. */
  readonly provider?: string | undefined;
  /** The delivery's events and what became of each (empty when it was turned away before parsing). */
  readonly events: readonly EventOutcome[];
  /** Why the delivery was not answered 2xx, or was answered 200 with an event parked. */
  readonly error?: WebhookError;
}

/** Seconds a CRM is asked to wait before retrying. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The answer to a delivery that was turned away or failed. A retryable failure is
 * answered the way its provider asks for a retry (HighLevel: 429), with Retry-After.
 */
export function failureOutcome(
  error: WebhookError,
  provider?: WebhookProvider,
  events: readonly EventOutcome[] = [],
): ReceiveOutcome {
  const retry = error.retryable;
  return {
    status: (retry && provider?.retryStatus) || error.status,
    headers: retry ? { 'retry-after': RETRY_AFTER_SECONDS } : {},
    body: { error: { code: error.code, message: error.publicMessage } },
    provider: provider?.name,
    events,
    error,
  };
}

/** The answer to a delivery whose events were all handled (now or before). */
export function successOutcome(provider: WebhookProvider, events: readonly EventOutcome[]): ReceiveOutcome {
  const allDuplicates = events.length > 0 && events.every((event) => event.result === 'duplicate');
  return {
    status: 200,
    headers: {},
    body: allDuplicates ? { ok: true, duplicate: true } : { ok: true },
    provider: provider.name,
    events,
  };
}
