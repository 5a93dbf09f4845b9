import { describeThrown } from './describe.js';
import { WebhookError } from './webhook-error.js';

/** Identifies one event of a delivery in errors and outcomes. */
export interface EventReference {
  /** Namespaced event name, e.g. `superoffice.relation.created`. */
  readonly name: string;
  /** Provider that sent it, e.g. `superoffice`. */
  readonly provider: string;
  /** The provider's delivery id (SuperOffice `EventId`, HighLevel `webhookId`, ...). */
  readonly deliveryId: string;
  /** The customer the event belongs to, from its signed bytes (SuperOffice `ContextIdentifier`, ...), when it names one. */
  readonly tenant?: string | undefined;
}

/**
 * Where an event's handlers ran: for a CRM's delivery, as a queue's job (a worker), or in a
 * replay from the journal. It decides what follows their failure, which the error's message says.
 */
export type HandlerRun = 'delivery' | 'job' | 'replay';

/**
 * 500 (or the provider's retry status): one or more handlers of an event threw or
 * rejected. The delivery is answered so the CRM retries it, and its id is released
 * so that retry is dispatched again; in a worker the queue retries the job instead.
 */
export class HandlerError extends WebhookError {
  /** Every value the event's handlers threw or rejected with, as they were. */
  readonly errors: readonly unknown[];
  /** The event whose handlers failed. */
  readonly event: EventReference;

  constructor(event: EventReference, errors: readonly unknown[], run: HandlerRun = 'delivery') {
    const count = errors.length === 1 ? 'A handler' : `${errors.length} handlers`;
    const next = {
      delivery: 'The delivery was answered so that the CRM retries it, and the retry will be dispatched again.',
      job: 'The job failed, so the queue retries it (with backoff, until its attempts are spent).',
      replay: 'The replay failed and the event was released: replay it again once the cause is fixed.',
    }[run];
    super(
      500,
      'handler_failed',
      `${count} failed for ${event.name} (delivery ${event.deliveryId}): ${describeThrown(errors[0])}. ${next}`,
      {
        provider: event.provider,
        cause: errors[0],
        retryable: true,
        // Handler errors can carry internal details; the CRM only learns that a handler failed.
        publicMessage: `A handler failed for ${event.name} (delivery ${event.deliveryId}); retry later.`,
      },
    );
    this.errors = errors;
    this.event = event;
  }
}

/**
 * 500 (or the provider's retry status): handlers did not settle within `handlerTimeoutMs`.
 * Their `signal` is aborted and the id released, so the CRM's retry runs them again.
 */
export class HandlerTimeoutError extends WebhookError {
  /** The event whose handlers were too slow. */
  readonly event: EventReference;
  readonly timeoutMs: number;

  constructor(event: EventReference, timeoutMs: number, run: HandlerRun = 'delivery') {
    const next = { delivery: 'the delivery answered so that the CRM retries it', job: 'the job failed, so the queue retries it', replay: 'the replay failed' }[run];
    // A worker already runs queued work: a queue is no advice there.
    const advice =
      run === 'job'
        ? 'Make handlers stop when context.signal aborts, or raise handlerTimeoutMs.'
        : 'Make handlers stop when context.signal aborts, raise handlerTimeoutMs, or hand slow work to a queue (@crmhooks/bullmq).';
    super(
      500,
      'handler_timeout',
      `Handlers of ${event.name} (delivery ${event.deliveryId}) did not settle within ${timeoutMs} ms. Their signal was aborted and ${next}. ${advice}`,
      { provider: event.provider, retryable: true, publicMessage: `Handlers of ${event.name} timed out; retry later.` },
    );
    this.event = event;
    this.timeoutMs = timeoutMs;
  }
}

/** 409 (or the provider's retry status): the same delivery is being handled right now. */
export class DeliveryInProgressError extends WebhookError {
  constructor(event: EventReference) {
    super(
      409,
      'delivery_in_progress',
      `Delivery ${event.deliveryId} (${event.name}) is already being handled by another request; ` +
        'it was not dispatched twice. Retry later to learn its result.',
      { provider: event.provider, retryable: true },
    );
  }
}

/**
 * 503 (or the provider's retry status): the idempotency store failed. When it failed to claim
 * the id, nothing was dispatched and the CRM is asked to retry; when it failed after the
 * handlers ran (recording or releasing the id), `consequence` says how the delivery was answered.
 */
export class StoreUnavailableError extends WebhookError {
  constructor(
    operation: string,
    cause: unknown,
    provider?: string,
    consequence = 'The delivery was answered so that the CRM retries it once the store is back.',
  ) {
    super(503, 'store_unavailable', `The idempotency store failed to ${operation} (${describeThrown(cause)}). ${consequence}`, {
      provider,
      cause,
      retryable: true,
      publicMessage: 'The idempotency store is unavailable; retry later.',
    });
  }
}

/**
 * 503 (HighLevel: 429): the provider's secret lookup (`secret: (tenant) => ...`) threw or
 * rejected, e.g. its database is down. Nothing was verified or handled; the CRM retries.
 */
export class SecretLookupError extends WebhookError {
  /** The tenant whose secrets were looked up. */
  readonly tenant: string;
  constructor(provider: string, tenant: string, option: string, cause: unknown) {
    super(
      503,
      'secret_lookup_unavailable',
      `The secret lookup ${option} failed for tenant "${tenant}" (${describeThrown(cause)}). Nothing was handled, and the ` +
        'delivery was answered so that the CRM retries it. Check that what the lookup reads (your database) is reachable and holds that tenant\'s secret.',
      { provider, cause, retryable: true, publicMessage: 'The secrets of this tenant cannot be read right now; retry later.' },
    );
    this.tenant = tenant;
  }
}

/**
 * 503: the journal (`createWebhooks({ journal })`) failed. Keeping a delivery fails it, so the
 * CRM retries; noting an attempt is only reported, since the answer no longer depends on it.
 */
export class JournalUnavailableError extends WebhookError {
  constructor(
    operation: string,
    cause: unknown,
    provider: string,
    consequence = 'None of its events was handled, and it was answered so that the CRM retries it.',
  ) {
    super(503, 'journal_unavailable', `The journal failed to ${operation} (${describeThrown(cause)}). ${consequence} Check that the journal's database is reachable.`, {
      provider,
      cause,
      retryable: true,
      publicMessage: 'The delivery journal is unavailable; retry later.',
    });
  }
}

/**
 * 200: a handler failed permanently (a `PermanentError`), so no retry can succeed. The
 * delivery is answered 200, so the CRM stops retrying (and SuperOffice keeps the webhook
 * enabled); the event is parked in the dead-letter sink and its id recorded as handled.
 */
export class EventParkedError extends WebhookError {
  /** Every value the event's handlers threw or rejected with. */
  readonly errors: readonly unknown[];
  /** The event that was parked. */
  readonly event: EventReference;

  constructor(
    event: EventReference,
    errors: readonly unknown[],
    permanent: unknown,
    parkedIn: string,
    run: HandlerRun = 'delivery',
    /** What failed, when it was not the handlers (an event no store can key). */
    what = `Handlers of ${event.name} (delivery ${event.deliveryId}) failed permanently`,
  ) {
    const next = {
      delivery: 'the delivery was answered 200 and the CRM will not send it again.',
      job: 'the job failed without further attempts.',
      replay: 'the replay does not try it again.',
    }[run];
    super(200, 'event_parked', `${what}: ${describeThrown(permanent)}. Retrying cannot fix that, so ${next} ${parkedIn}`, {
      provider: event.provider,
      cause: permanent,
      publicMessage: `${what}; the event was parked.`,
    });
    this.errors = errors;
    this.event = event;
  }
}

/** 503 (or the provider's retry status): an event failed permanently, but the dead-letter sink did not take it. */
export class DeadLetterUnavailableError extends WebhookError {
  /** The event that could not be parked. */
  readonly event: EventReference;

  constructor(event: EventReference, cause: unknown, run: HandlerRun = 'delivery') {
    const next = {
      delivery: 'The delivery was answered so that the CRM retries it, and its id released: the retry is parked once the sink is back.',
      job: 'The job failed, so the queue retries it: it is parked once the sink is back.',
      replay: 'The replay failed and the event was released: replay it again once the sink is back.',
    }[run];
    super(
      503,
      'dead_letter_unavailable',
      `Handlers of ${event.name} (delivery ${event.deliveryId}) failed permanently, and the dead-letter sink failed to ` +
        `park the event (${describeThrown(cause)}). ${next}`,
      { provider: event.provider, cause, retryable: true, publicMessage: 'The dead-letter sink is unavailable; retry later.' },
    );
    this.event = event;
  }
}

/** 503 (or the provider's retry status): the queue did not take the event, so it was neither handled nor lost. */
export class QueueUnavailableError extends WebhookError {
  /** The event that was not queued. */
  readonly event: EventReference;

  constructor(event: EventReference, cause: unknown) {
    super(
      503,
      'queue_unavailable',
      `The queue did not take ${event.name} (delivery ${event.deliveryId}): ${describeThrown(cause)}. ` +
        'The delivery was answered so that the CRM retries it, and its id released: the retry is queued once the queue takes it.',
      { provider: event.provider, cause, retryable: true, publicMessage: 'The queue is unavailable; retry later.' },
    );
    this.event = event;
  }
}

/** 503 (or the provider's retry status): the receiver is shutting down and takes no new deliveries. */
export class ReceiverClosedError extends WebhookError {
  constructor(provider?: string) {
    super(503, 'receiver_closed', 'The receiver is shutting down; the CRM will deliver this again later.', {
      provider,
      retryable: true,
    });
  }
}

/** 500 (or the provider's retry status): a bug in crmhooks or in a custom provider. */
export class InternalError extends WebhookError {
  constructor(cause: unknown, provider?: string) {
    super(500, 'internal_error', `Unexpected error while receiving a delivery: ${describeThrown(cause)}`, {
      provider,
      cause,
      retryable: true,
      publicMessage: 'Internal error while receiving the delivery; retry later.',
    });
  }
}
