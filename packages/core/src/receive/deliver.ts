import {
  DeadLetterUnavailableError,
  DeliveryInProgressError,
  EventParkedError,
  HandlerError,
  HandlerTimeoutError,
  QueueUnavailableError,
  StoreUnavailableError,
  type EventReference,
  type HandlerRun,
} from '../errors/delivery-errors.js';
import { isPermanent, PermanentError } from '../errors/permanent-error.js';
import type { WebhookError } from '../errors/webhook-error.js';
import type { HeldClaim, LeaseKeeper } from '../idempotency/lease-keeper.js';
import type { ClaimOptions, ClaimResult, CompleteOptions, IdempotencyStore } from '../idempotency/store.js';
import type { Telemetry } from '../observe/telemetry.js';
import type { ProviderEvent } from '../providers/provider.js';
import { MAX_KEY_LENGTH } from '../util/keys.js';
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

/** An event's outcome, and the error that failed it (or that it was answered 200 despite). */
export interface DeliveredEvent {
  readonly outcome: EventOutcome;
  readonly error?: WebhookError | undefined;
}

/** A value now, or a promise of it: synchronous work stays synchronous (see deliverEvent). */
export type Eventually<T> = T | Promise<T>;

/** Applies `next` at once to a value, or once a promise fulfils. */
export function andThen<T, R>(value: Eventually<T>, next: (value: T) => Eventually<R>): Eventually<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * Handles one event once: claim its id, run its handlers (renewing the claim's lease while
 * they run), then mark it handled, or release it on failure so the provider's retry is
 * dispatched again. An event whose handlers failed permanently is parked and marked handled.
 * A `replay` claims a handled id too, never one being handled (see `ClaimOptions`), and its
 * handlers see `context.replay`. Never throws, never rejects.
 *
 * With a synchronous store (the in-memory default) and synchronous handlers it returns its
 * outcome at once, making no promise: in a busy HTTP server every promise and resumption
 * costs more than the work around it.
 */
export function deliverEvent(event: ProviderEvent, provider: string, context: DeliveryContext, replay = false): Eventually<DeliveredEvent> {
  return andThen(claim(event, provider, context, replay), (claimed) => {
    if (claimed instanceof StoreUnavailableError) return delivered(event, provider, 'failed', claimed);
    if (claimed === 'completed') return delivered(event, provider, 'duplicate');
    if (claimed === 'in_progress') return delivered(event, provider, 'in_progress', new DeliveryInProgressError(referenceOf(event, provider)));
    const reference = referenceOf(event, provider);
    const handled = context.queue ? handOff(context.queue, event, reference, context, replay) : runHandlers(event, reference, context, undefined, replay);
    if (!(handled instanceof Promise)) return finish(event, provider, handled, context, replay);
    // Time passes only while something is awaited: only then can the lease need renewing.
    const lease = context.leases.hold(provider, event.deliveryId);
    return handled.then((error) => finish(event, provider, error, context, replay, lease));
  });
}

/**
 * How a run of an event's handlers ended, by the error it ended with: `failed` when the error
 * asks for a retry (unless the event is acknowledged whatever happens), `parked`, or `handled`.
 */
export function resultOf(error: WebhookError | undefined, alwaysAcknowledge = false): EventResult {
  if (error instanceof EventParkedError) return 'parked';
  return error !== undefined && error.retryable && !alwaysAcknowledge ? 'failed' : 'handled';
}

const referenceOf = (event: ProviderEvent, provider: string): EventReference => ({ name: event.name, provider, deliveryId: event.deliveryId, tenant: event.tenant });

function delivered(event: ProviderEvent, provider: string, result: EventResult, error?: WebhookError): DeliveredEvent {
  return { outcome: { name: event.name, provider, deliveryId: event.deliveryId, tenant: event.tenant, result }, error };
}

const FOR_REPLAY: ClaimOptions = { replay: true };
const QUEUED: CompleteOptions = { queued: true };

/** Claims the event's id, at most `storeTimeoutMs`: the claim, or the store's failure. */
function claim(event: ProviderEvent, provider: string, context: DeliveryContext, replay: boolean): Eventually<ClaimResult | StoreUnavailableError> {
  const { store } = context;
  const failed = (cause: unknown) => new StoreUnavailableError('claim a delivery id', cause, provider);
  try {
    const claimed = bounded(context, () => store.claim(provider, event.deliveryId, replay ? FOR_REPLAY : undefined), (late) =>
      // The store may still claim the id after the delivery was answered 503 (node-redis replays queued
      // commands on reconnect): release that claim, or every retry would be "in progress" until its lease ends.
      late.then((result) => result === 'claimed' && store.release(provider, event.deliveryId)),
    );
    return claimed instanceof Promise ? claimed.catch(failed) : claimed;
  } catch (cause) {
    return failed(cause);
  }
}

/** After the handlers (or the hand-off): parks a permanent failure, reports any failure, and records the outcome in the store. */
function finish(event: ProviderEvent, provider: string, error: WebhookError | undefined, context: DeliveryContext, replay: boolean, lease?: HeldClaim): Eventually<DeliveredEvent> {
  if (error instanceof EventParkedError) {
    return andThen(park(event, provider, error, context, replay ? 'replay' : 'delivery'), (parked) => settle(event, provider, parked, context, replay, lease));
  }
  return settle(event, provider, error, context, replay, lease);
}

/** Reports the failure, if any, then completes or releases the claim; the store's failure no longer changes the answer. */
function settle(event: ProviderEvent, provider: string, error: WebhookError | undefined, context: DeliveryContext, replay: boolean, lease?: HeldClaim): Eventually<DeliveredEvent> {
  const { store } = context;
  if (error !== undefined) context.report(error);
  if (lease !== undefined) context.leases.letGo(lease);
  // SuperOffice's test event is answered 200 whatever its handlers did; the failure is still reported.
  const result = resultOf(error, event.alwaysAcknowledge);
  const failed = result === 'failed';
  const done = delivered(event, provider, result, error);
  const storeFailed = (cause: unknown) => {
    // The handlers have run: the answer no longer depends on the store, so its failure is reported, not answered.
    const lapse = `its claim lapses ${store.leaseMs / 1000} s after it was last renewed`;
    const [operation, consequence] = replay
      ? failed
        ? ['release a delivery id whose replay failed', `Copies the CRM still sends are answered "in progress" until ${lapse}.`]
        : ['record a replayed delivery id as handled', `The replay succeeded; a copy the CRM still sends after ${lapse} would run again.`]
      : failed
        ? ['release a failed delivery id', `The delivery was answered so that the CRM retries it; retries are answered "in progress" until ${lapse}.`]
        : ['record a handled delivery id', `Its handlers had succeeded, so the delivery was answered 200; a copy that arrives after ${lapse} would be handled again.`];
    context.report(new StoreUnavailableError(operation, cause, provider, consequence));
    return done;
  };
  try {
    const settled = bounded(context, () =>
      failed ? store.release(provider, event.deliveryId) : store.complete(provider, event.deliveryId, context.queue ? QUEUED : undefined),
    );
    return settled instanceof Promise ? settled.then(() => done, storeFailed) : done;
  } catch (cause) {
    return storeFailed(cause);
  }
}

/**
 * Hands an event whose handlers failed permanently to the dead-letter sink, at most
 * `storeTimeoutMs`: the parked error, or the error that makes the CRM retry if the sink failed.
 */
export function park(event: ProviderEvent, provider: string, parked: EventParkedError, context: DeliveryContext, run: HandlerRun): Eventually<WebhookError> {
  const sink = context.deadLetters;
  if (sink === undefined) return parked;
  const failed = (cause: unknown) => new DeadLetterUnavailableError(parked.event, cause, run);
  try {
    const stored = bounded(context, () => sink.park(toQueuedEvent(event, provider), parked));
    return stored instanceof Promise ? stored.then(() => parked, failed) : parked;
  } catch (cause) {
    return failed(cause);
  }
}

/**
 * Runs the event's handlers, at most `handlerTimeoutMs`; the error that fails the event, if any.
 * Synchronous handlers' outcome is given at once (see deliverEvent); `stop` aborts their signal too.
 * `run` says what they run for (a CRM's delivery, a queue's job, a replay): their failures' messages say what follows.
 */
export function runHandlers(
  event: ProviderEvent,
  reference: EventReference,
  context: DeliveryContext,
  stop?: AbortSignal,
  replay = false,
  run: HandlerRun = replay ? 'replay' : 'delivery',
): WebhookError | undefined | Promise<WebhookError | undefined> {
  const control = new HandlerSignal();
  stop?.addEventListener('abort', () => control.abort(stop.reason), { once: true });
  const started = performance.now();
  const running = context.dispatcher.dispatch(event, (name) => new HandlerContext(name, reference.provider, reference.deliveryId, reference.tenant, control, replay));
  const failure = (errors: unknown[] | undefined) => handlerFailure(errors, reference, control, context, (performance.now() - started) / 1000, run);
  return Array.isArray(running) ? failure(running) : untilSettled(running, control, context).then(failure);
}

/** Stores the event in the queue, at most `storeTimeoutMs`; the error that fails the delivery, if any. */
async function handOff(
  queue: EventQueue,
  event: ProviderEvent,
  reference: EventReference,
  context: DeliveryContext,
  replay = false,
): Promise<WebhookError | undefined> {
  try {
    await bounded(context, () => queue.enqueue(toQueuedEvent(event, reference.provider, replay)));
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
  run: HandlerRun,
): WebhookError | undefined {
  if (errors === undefined) {
    context.telemetry.recordHandlers(reference, 'timeout', seconds);
    const timeout = new HandlerTimeoutError(reference, context.handlerTimeoutMs, run);
    control.abort(timeout);
    return timeout;
  }
  context.telemetry.recordHandlers(reference, errors.length > 0 ? 'failed' : 'handled', seconds);
  if (errors.length === 0) return undefined;
  const permanent = errors.find(isPermanent);
  if (permanent === undefined) return new HandlerError(reference, errors, run);
  return new EventParkedError(reference, errors, permanent, parkedIn(context), run);
}

/** Where a parked event went, for its error's message. */
function parkedIn(context: DeliveryContext): string {
  return context.deadLetters
    ? 'The event was parked in the dead-letter sink: fix the cause, then replay it from there.'
    : 'This log line is its only record: pass deadLetters to createWebhooks to keep parked events for replay.';
}

/**
 * Parks a signed event that can never be processed: its delivery id, name or tenant is longer than
 * `MAX_KEY_LENGTH` or holds a control character, so no store can key it, and each retry would
 * carry the same. Nothing is claimed and no handler runs; the delivery is answered as a permanent
 * failure is (SuperOffice: 200), so the CRM stops instead of counting refusals toward disabling
 * the webhook. A sink that fails answers it so the CRM retries, as for any parked event.
 */
export function parkUnprocessable(event: ProviderEvent, provider: string, context: DeliveryContext): Eventually<DeliveredEvent> {
  const shown = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
  const reason = new PermanentError(
    `its delivery id, event name or tenant is longer than ${MAX_KEY_LENGTH} characters or holds a control character (U+0000 to U+001F); ` +
      'no CRM sends one, and no store can key it',
  );
  const what = `Event ${shown(event.name)} (delivery ${shown(event.deliveryId)}) cannot be processed`;
  const parked = new EventParkedError(referenceOf(event, provider), [], reason, parkedIn(context), 'delivery', what);
  return andThen(park(event, provider, parked, context, 'delivery'), (error) => {
    context.report(error);
    return delivered(event, provider, resultOf(error), error);
  });
}

/**
 * A store call's answer, bounded by `storeTimeoutMs` when it is a promise (a synchronous
 * answer cannot hang). `afterTimeout` gets the call that kept running, to undo what it may still do.
 */
export function bounded<T>(context: DeliveryContext, call: () => T | Promise<T>, afterTimeout?: (late: Promise<T>) => Promise<unknown>): T | Promise<T> {
  const result = call();
  if (typeof (result as Partial<PromiseLike<T>> | undefined)?.then !== 'function') return result;
  const pending = Promise.resolve(result);
  return withTimeout(pending, context.storeTimeoutMs, () => {
    afterTimeout?.(pending).catch(() => undefined);
    throw new Error(`no answer within ${context.storeTimeoutMs} ms`);
  });
}
