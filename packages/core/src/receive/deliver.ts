import { DeliveryInProgressError, HandlerError, HandlerTimeoutError, StoreUnavailableError, type EventReference } from '../errors/delivery-errors.js';
import type { WebhookError } from '../errors/webhook-error.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { Telemetry } from '../observe/telemetry.js';
import type { ProviderEvent } from '../providers/provider.js';
import { withTimeout } from '../util/with-timeout.js';
import type { EventDispatcher } from './dispatcher.js';
import { HandlerContext, HandlerSignal } from './handler-context.js';
import type { EventOutcome } from './outcome.js';

/** What delivering an event needs from the receiver. */
export interface DeliveryContext {
  readonly store: IdempotencyStore;
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
 * Handles one event once: claim its id, run its handlers, then mark it handled, or
 * release it on failure so the provider's retry is dispatched again. Never throws.
 */
export async function deliverEvent(event: ProviderEvent, provider: string, context: DeliveryContext): Promise<DeliveredEvent> {
  const reference: EventReference = { name: event.name, provider, deliveryId: event.deliveryId };
  let claimed;
  try {
    claimed = await claim(context, reference);
  } catch (error) {
    return { ...reference, result: 'failed', error: error as StoreUnavailableError };
  }
  if (claimed === 'completed') return { ...reference, result: 'duplicate' };
  if (claimed === 'in_progress') return { ...reference, result: 'in_progress', error: new DeliveryInProgressError(reference) };

  const error = await runHandlers(event, reference, context);
  if (error !== undefined) context.report(error);
  // SuperOffice's test event is answered 200 whatever its handlers did; the failure is still reported.
  if (error !== undefined && !event.alwaysAcknowledge) {
    await settle(context, 'release', reference);
    return { ...reference, result: 'failed', error };
  }
  await settle(context, 'complete', reference);
  return { ...reference, result: 'handled', error };
}

/** Runs the event's handlers, at most `handlerTimeoutMs`; the error that fails the event, if any. */
async function runHandlers(event: ProviderEvent, reference: EventReference, context: DeliveryContext): Promise<WebhookError | undefined> {
  const control = new HandlerSignal();
  const started = performance.now();
  const running = context.dispatcher.dispatch(event, (name) => new HandlerContext(name, reference.provider, reference.deliveryId, control));
  // Tracked until the handlers settle, even past the timeout, so closing the receiver can wait for them.
  context.running.set(control, running);
  void running.then(() => context.running.delete(control));
  const errors = await withTimeout(running, context.handlerTimeoutMs, () => undefined);
  const seconds = (performance.now() - started) / 1000;
  if (errors === undefined) {
    context.telemetry.recordHandlers(reference.provider, reference.name, 'timeout', seconds);
    const timeout = new HandlerTimeoutError(reference, context.handlerTimeoutMs);
    control.abort(timeout);
    return timeout;
  }
  context.telemetry.recordHandlers(reference.provider, reference.name, errors.length > 0 ? 'failed' : 'handled', seconds);
  return errors.length > 0 ? new HandlerError(reference, errors) : undefined;
}

function claim(context: DeliveryContext, reference: EventReference) {
  return callStore(context, 'claim a delivery id', reference, () => context.store.claim(reference.provider, reference.deliveryId), (late) =>
    // The store may still claim the id after the delivery was answered 503 (node-redis replays queued
    // commands on reconnect): release that claim, or every retry would be "in progress" until its lease ends.
    late.then((result) => result === 'claimed' && context.store.release(reference.provider, reference.deliveryId)),
  );
}

/** Records the end of a delivery; a store failure then is reported, since the answer no longer depends on it. */
async function settle(context: DeliveryContext, step: 'complete' | 'release', reference: EventReference): Promise<void> {
  const operation = step === 'complete' ? 'record a handled delivery id' : 'release a failed delivery id';
  try {
    await callStore(context, operation, reference, () => context.store[step](reference.provider, reference.deliveryId));
  } catch (error) {
    context.report(error as StoreUnavailableError);
  }
}

/**
 * Calls the store, bounded by `storeTimeoutMs`; any failure becomes a StoreUnavailableError.
 * `afterTimeout` gets the call that kept running, to undo what it may still do.
 */
async function callStore<T>(
  context: DeliveryContext,
  operation: string,
  reference: EventReference,
  call: () => T | Promise<T>,
  afterTimeout?: (late: Promise<T>) => Promise<unknown>,
): Promise<T> {
  try {
    const result = call();
    // A synchronous answer cannot hang: only a promise needs a deadline.
    if (typeof (result as Partial<PromiseLike<T>> | undefined)?.then !== 'function') return result as T;
    const pending = Promise.resolve(result);
    return await withTimeout(pending, context.storeTimeoutMs, () => {
      afterTimeout?.(pending).catch(() => undefined);
      throw new Error(`no answer within ${context.storeTimeoutMs} ms`);
    });
  } catch (cause) {
    throw new StoreUnavailableError(operation, cause, reference.provider);
  }
}
