import { WebhookError } from './webhook-error.js';

/** Identifies one event of a delivery in errors and outcomes. */
export interface EventReference {
  /** Namespaced event name, e.g. `superoffice.relation.created`. */
  readonly name: string;
  /** Provider that sent it, e.g. `superoffice`. */
  readonly provider: string;
  /** The provider's delivery id (SuperOffice `EventId`, HighLevel `webhookId`, ...). */
  readonly deliveryId: string;
}

/**
 * 500: one or more handlers of an event failed. The delivery is answered 5xx so
 * the CRM retries it, and its id is released so that retry is dispatched again.
 */
export class HandlerError extends WebhookError {
  /** Every error thrown or rejected by the event's handlers. */
  readonly errors: readonly unknown[];
  /** The event whose handlers failed. */
  readonly event: EventReference;

  constructor(event: EventReference, errors: readonly unknown[]) {
    const first = errors[0];
    const firstMessage = first instanceof Error ? first.message : String(first);
    const count = errors.length === 1 ? 'A handler' : `${errors.length} handlers`;
    super(
      500,
      'handler_failed',
      `${count} failed for ${event.name} (delivery ${event.deliveryId}): ${firstMessage}. ` +
        'The delivery was answered 500 so the CRM retries it; the retry will be dispatched again.',
      { provider: event.provider, cause: first },
    );
    this.errors = errors;
    this.event = event;
  }

  /** Handler errors can carry internal details; the CRM only learns that a handler failed. */
  override get publicMessage(): string {
    return `A handler failed for ${this.event.name} (delivery ${this.event.deliveryId}); retry later.`;
  }
}

/** A handler that did not settle within `handlerTimeoutMs`; it is one of a HandlerError's `errors`. */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(
      `Handlers did not settle within ${timeoutMs} ms. The delivery was answered 500 and released so the CRM retries it; ` +
        'the late handler may still finish. Make handlers faster, raise handlerTimeoutMs, or acknowledge early (acknowledgeAfterMs).',
    );
    this.name = 'HandlerTimeoutError';
  }
}

/** 409: the same delivery is being handled right now; the CRM should retry later. */
export class DeliveryInProgressError extends WebhookError {
  constructor(event: EventReference) {
    super(
      409,
      'delivery_in_progress',
      `Delivery ${event.deliveryId} (${event.name}) is already being handled by another request; ` +
        'it was not dispatched twice. Retry later to learn its result.',
      { provider: event.provider },
    );
  }
}

/** 503: the idempotency store failed, so the delivery was neither handled twice nor dropped. */
export class StoreUnavailableError extends WebhookError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      503,
      'store_unavailable',
      `The idempotency store failed to ${operation} (${reason}). ` +
        'The delivery was answered 503 so the CRM retries it once the store is back.',
      { cause },
    );
  }

  override get publicMessage(): string {
    return 'The idempotency store is unavailable; retry later.';
  }
}

/** 500: a bug in crmhooks or in a custom provider; the CRM retries. */
export class InternalError extends WebhookError {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(500, 'internal_error', `Unexpected error while receiving a delivery: ${reason}`, { cause });
  }

  override get publicMessage(): string {
    return 'Internal error while receiving the delivery; retry later.';
  }
}
