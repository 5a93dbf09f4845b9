import {
  DeadLetterUnavailableError,
  DeliveryInProgressError,
  EventParkedError,
  HandlerError,
  HandlerTimeoutError,
  QueueUnavailableError,
  StoreUnavailableError,
  type EventReference,
} from '../errors/delivery-errors.js';
import { isPermanent } from '../errors/permanent-error.js';
import type { WebhookError } from '../errors/webhook-error.js';
import type { LeaseKeeper } from '../idempotency/lease-keeper.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { Telemetry } from '../observe/telemetry.js';
import type { ProviderEvent } from '../providers/provider.js';
import { withTimeout } from '../util/with-timeout.js';
import type { DeadLetterSink } from './dead-letters.js';
import type { EventDispatcher } from './dispatcher.js';
import { toQueuedEvent, type EventQueue } from './queued-event.js';
import { HandlerContext, HandlerSignal } from './handler-context.js';
import type { EventOutcome, EventResult } from './outcome.js';

/** What delivering an event needs from the receiver. */
export interface DeliveryContext {
  readonly store: IdempotencyStore;
  /** Renews the store's leases on the claims whose work is running. */
  readonly leases: LeaseKeeper;
  /** Where events go instead of handlers, when the receiver hands them to a queue. */
  readonly queue: EventQueue | undefined;
  /** Where events whose handlers failed permanently are parked; the log alone when undefined. */
  readonly deadLetters: DeadLetterSink | undefined;
  readonly dispatcher: EventDispatcher;
  readonly handlerTimeoutMs: number;
  readonly storeTimeoutMs: number;
  readonly telemetry: Telemetry;
  /** Handlers running now, with their signal: closing the receiver aborts them and waits. */
  readonly running: Map<HandlerSignal, Promise<unknown>>;
  /** Reports a failure to the application (onError handlers and the log). */
  readonly report: (error: WebhookError) => void;
}

/** An event's outcome, with the error that failed it (or that it was answered 200 despite). */
export interface DeliveredEvent extends EventOutcome {
  readonly error?: WebhookError | undefined;
}

/**
 * Handles one event once: claim its id, run its handlers (renewing the claim's lease while
 * they run), then mark it handled, or release it on failure so the provider's retry is
 * dispatched again. An event whose handlers failed permanently is parked and marked handled.
 * Never throws.
 *
 * It waits only for what is pending (so do `runHandlers` and the dispatcher): `await` on a
 * plain value still suspends the function, and in a busy HTTP server each resumption costs
 * cache misses. With the in-memory store and synchronous handlers, waiting anyway (and
 * arming a handler timeout) cost 30 µs of server CPU per SuperOffice request through Koa:
 * 133-170 µs against 99-109 µs, in four alternating runs of each.
 */
export async function deliverEvent(event: ProviderEvent, provider: string, context: DeliveryContext): Promise<DeliveredEvent> {
  const reference: EventReference = { name: event.name, provider, deliveryId: event.deliveryId };
  const delivered = (result: EventResult, error?: WebhookError): DeliveredEvent => ({ name: event.name, provider, deliveryId: event.deliveryId, result, error });
  const { store } = context;
  let claimed;
  try {
    claimed = bounded(context, () => store.claim(provider, event.deliveryId), (late) =>
      // The store may still claim the id after the delivery was answered 503 (node-redis replays queued
      // commands on reconnect): release that claim, or every retry would be "in progress" until its lease ends.
      late.then((result) => result === 'claimed' && store.release(provider, event.deliveryId)),
    );
    if (claimed instanceof Promise) claimed = await claimed;
  } catch (cause) {
    return delivered('failed', new StoreUnavailableError('claim a delivery id', cause, provider));
  }
  if (claimed === 'completed') return delivered('duplicate');
  if (claimed === 'in_progress') return delivered('in_progress', new DeliveryInProgressError(reference));

  const lease = context.leases.hold(provider, event.deliveryId);
  const handled = context.queue ? handOff(context.queue, event, reference, context) : runHandlers(event, reference, context);
  let error = handled instanceof Promise ? await handled : handled;
  if (error instanceof EventParkedError) error = await park(event, provider, error, context);
  if (error !== undefined) context.report(error);
  context.leases.letGo(lease);
  // SuperOffice's test event is answered 200 whatever its handlers did; the failure is still reported.
  const failed = error !== undefined && error.retryable && !event.alwaysAcknowledge;
  try {
    const settled = bounded(context, () => (failed ? store.release(provider, event.deliveryId) : store.complete(provider, event.deliveryId)));
    if (settled instanceof Promise) await settled;
  } catch (cause) {
    // The handlers have run: the answer no longer depends on the store, so its failure is reported, not answered.
    const lapse = `its claim lapses ${store.leaseMs / 1000} s after it was last renewed`;
    context.report(
      failed
        ? new StoreUnavailableError('release a failed delivery id', cause, provider, `The delivery was answered so that the CRM retries it; retries are answered "in progress" until ${lapse}.`)
        : new StoreUnavailableError('record a handled delivery id', cause, provider, `Its handlers had succeeded, so the delivery was answered 200; a copy that arrives after ${lapse} would be handled again.`),
    );
  }
  return delivered(failed ? 'failed' : error instanceof EventParkedError ? 'parked' : 'handled', error);
}

/**
 * Hands an event whose handlers failed permanently to the dead-letter sink, at most
 * `storeTimeoutMs`: the parked error, or the error that makes the CRM retry if the sink failed.
 */
export async function park(event: ProviderEvent, provider: string, parked: EventParkedError, context: DeliveryContext): Promise<WebhookError> {
  const sink = context.deadLetters;
  if (sink === undefined) return parked;
  try {
    await bounded(context, () => sink.park(toQueuedEvent(event, provider), parked));
    return parked;
  } catch (cause) {
    return new DeadLetterUnavailableError(parked.event, cause);
  }
}

/**
 * Runs the event's handlers, at most `handlerTimeoutMs`; the error that fails the event, if any.
 * Synchronous handlers' outcome is given at once (see deliverEvent); `stop` aborts their signal too.
 */
export function runHandlers(
  event: ProviderEvent,
  reference: EventReference,
  context: DeliveryContext,
  stop?: AbortSignal,
): WebhookError | undefined | Promise<WebhookError | undefined> {
  const control = new HandlerSignal();
  stop?.addEventListener('abort', () => control.abort(stop.reason), { once: true });
  const started = performance.now();
  const running = context.dispatcher.dispatch(event, (name) => new HandlerContext(name, reference.provider, reference.deliveryId, control));
  const failure = (errors: unknown[] | undefined) => handlerFailure(errors, reference, control, context, (performance.now() - started) / 1000);
  return Array.isArray(running) ? failure(running) : untilSettled(running, control, context).then(failure);
}

/** Stores the event in the queue, at most `storeTimeoutMs`; the error that fails the delivery, if any. */
async function handOff(queue: EventQueue, event: ProviderEvent, reference: EventReference, context: DeliveryContext): Promise<WebhookError | undefined> {
  try {
    await bounded(context, () => queue.enqueue(toQueuedEvent(event, reference.provider)));
    return undefined;
  } catch (cause) {
    return new QueueUnavailableError(reference, cause);
  }
}

/** Waits for handlers that are still running, at most `handlerTimeoutMs` (then undefined). */
function untilSettled(running: Promise<unknown[]>, control: HandlerSignal, context: DeliveryContext): Promise<unknown[] | undefined> {
  // Tracked until the handlers settle, even past the timeout, so closing the receiver can wait for them.
  context.running.set(control, running);
  void running.then(() => context.running.delete(control));
  return withTimeout(running, context.handlerTimeoutMs, () => undefined);
}

/** The error that fails the event (undefined: its handlers succeeded); records how long they took. */
function handlerFailure(
  errors: unknown[] | undefined,
  reference: EventReference,
  control: HandlerSignal,
  context: DeliveryContext,
  seconds: number,
): WebhookError | undefined {
  if (errors === undefined) {
    context.telemetry.recordHandlers(reference.provider, reference.name, 'timeout', seconds);
    const timeout = new HandlerTimeoutError(reference, context.handlerTimeoutMs);
    control.abort(timeout);
    return timeout;
  }
  context.telemetry.recordHandlers(reference.provider, reference.name, errors.length > 0 ? 'failed' : 'handled', seconds);
  if (errors.length === 0) return undefined;
  const permanent = errors.find(isPermanent);
  if (permanent === undefined) return new HandlerError(reference, errors);
  const parkedIn = context.deadLetters
    ? 'The event was parked in the dead-letter sink: fix the cause, then replay it from there.'
    : 'This log line is its only record: pass deadLetters to createWebhooks to keep parked events for replay.';
  return new EventParkedError(reference, errors, permanent, parkedIn);
}

/**
 * A store call's answer, bounded by `storeTimeoutMs` when it is a promise (a synchronous
 * answer cannot hang). `afterTimeout` gets the call that kept running, to undo what it may still do.
 */
function bounded<T>(context: DeliveryContext, call: () => T | Promise<T>, afterTimeout?: (late: Promise<T>) => Promise<unknown>): T | Promise<T> {
  const result = call();
  if (typeof (result as Partial<PromiseLike<T>> | undefined)?.then !== 'function') return result;
  const pending = Promise.resolve(result);
  return withTimeout(pending, context.storeTimeoutMs, () => {
    afterTimeout?.(pending).catch(() => undefined);
    throw new Error(`no answer within ${context.storeTimeoutMs} ms`);
  });
}
