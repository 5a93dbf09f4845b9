import { HandlerError, HandlerTimeoutError, StoreUnavailableError } from '../errors/delivery-errors.js';
import type { WebhookError } from '../errors/webhook-error.js';
import type { EventDispatcher } from '../events/dispatcher.js';
import type { ClaimResult, IdempotencyStore } from '../idempotency/store.js';
import type { ProviderEvent } from '../providers/provider.js';
import { isPromiseLike, type MaybePromise } from '../util/maybe-promise.js';
import type { EventOutcome } from './outcome.js';

/** What delivering an event needs from the receiver. */
export interface DeliveryContext {
  readonly store: IdempotencyStore;
  readonly dispatcher: EventDispatcher;
  /** Timers for the asynchronous path; see CrmWebhooksOptions. */
  readonly timeouts: { readonly handlerMs: number; readonly acknowledgeAfterMs: number | undefined; readonly storeMs: number };
  /** Reports failures that do not change the answer (or that also fail it). */
  readonly report: (error: WebhookError) => void;
}

/** An event's outcome, with the error that failed it. */
export type DeliveredEvent = EventOutcome & { readonly error?: HandlerError };

/**
 * Handles one event exactly once: claim its id, run its handlers, then mark it
 * handled, or release it on failure so the provider's retry is dispatched.
 * Fails with StoreUnavailableError if the id cannot be claimed.
 *
 * Each step continues synchronously when the store and handlers are synchronous
 * (the in-memory store, plain handlers): a webhook's hot path pays no microtasks it does not need.
 */
export function deliverEvent(
  event: ProviderEvent,
  provider: string,
  context: DeliveryContext,
): MaybePromise<DeliveredEvent> {
  const claimed = claim(context.store, provider, event.deliveryId, context.timeouts.storeMs);
  // Named steps rather than closures: the synchronous path allocates nothing extra.
  return isPromiseLike(claimed)
    ? claimed.then((result) => afterClaim(event, provider, result, context))
    : afterClaim(event, provider, claimed, context);
}

function afterClaim(
  event: ProviderEvent,
  provider: string,
  claimed: ClaimResult,
  context: DeliveryContext,
): MaybePromise<DeliveredEvent> {
  if (claimed === 'completed') return outcome(event, provider, 'duplicate');
  if (claimed === 'in_progress') return outcome(event, provider, 'in_progress');
  const errors = dispatchSafely(context.dispatcher, event, provider);
  if (!isPromiseLike(errors)) return afterDispatch(event, provider, errors, context);
  return settleInTime(errors, event, provider, context);
}

/**
 * Waits for asynchronous handlers, at most `handlerMs`: then the delivery fails (500,
 * id released) so the CRM retries. With `acknowledgeAfterMs`, a slow delivery is instead
 * answered as handled early; a later failure can then only be reported, not retried.
 */
function settleInTime(
  pending: Promise<readonly unknown[]>,
  event: ProviderEvent,
  provider: string,
  context: DeliveryContext,
): Promise<DeliveredEvent> {
  const { handlerMs, acknowledgeAfterMs } = context.timeouts;
  return new Promise((resolve) => {
    let answered = false;
    const answer = (result: MaybePromise<DeliveredEvent>) => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      if (early !== undefined) clearTimeout(early);
      resolve(result);
    };
    const deadline = setTimeout(() => answer(afterDispatch(event, provider, [new HandlerTimeoutError(handlerMs)], context)), handlerMs);
    const early =
      acknowledgeAfterMs === undefined
        ? undefined
        : setTimeout(() => answer(afterDispatch(event, provider, [], context)), acknowledgeAfterMs);
    void pending.then((errors) => {
      if (!answered) return answer(afterDispatch(event, provider, errors, context));
      // Answered already (acknowledged early): a late failure can only be reported.
      if (early !== undefined && errors.length > 0) {
        context.report(new HandlerError({ name: event.name, provider, deliveryId: event.deliveryId }, errors));
      }
      return undefined;
    });
  });
}

function afterDispatch(
  event: ProviderEvent,
  provider: string,
  errors: readonly unknown[],
  context: DeliveryContext,
): MaybePromise<DeliveredEvent> {
  if (errors.length > 0) {
    const error = new HandlerError({ name: event.name, provider, deliveryId: event.deliveryId }, errors);
    context.report(error);
    if (!event.alwaysAcknowledge) {
      const failed: DeliveredEvent = { ...outcome(event, provider, 'failed'), error };
      const released = settle(context, 'release', provider, event.deliveryId);
      return isPromiseLike(released) ? released.then(() => failed) : failed;
    }
  }
  // The handlers ran: answering 5xx now would make the CRM deliver it twice,
  // so a store failure here is reported, not answered.
  const handled = outcome(event, provider, 'handled');
  const recorded = settle(context, 'complete', provider, event.deliveryId);
  return isPromiseLike(recorded) ? recorded.then(() => handled) : handled;
}

function outcome(event: ProviderEvent, provider: string, result: EventOutcome['result']): EventOutcome {
  return { name: event.name, provider, deliveryId: event.deliveryId, result };
}

function claim(store: IdempotencyStore, provider: string, deliveryId: string, timeoutMs: number): MaybePromise<ClaimResult> {
  const fail = (cause: unknown): never => {
    throw new StoreUnavailableError('claim a delivery id', cause);
  };
  try {
    const result = store.claim(provider, deliveryId);
    return isPromiseLike(result) ? withTimeout(Promise.resolve(result), timeoutMs).catch(fail) : result;
  } catch (cause) {
    return fail(cause);
  }
}

/** A store that neither answers nor fails must not hold the request forever. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

function dispatchSafely(
  dispatcher: EventDispatcher,
  event: ProviderEvent,
  provider: string,
): MaybePromise<readonly unknown[]> {
  try {
    const errors = dispatcher.dispatch(event, provider);
    return isPromiseLike(errors) ? Promise.resolve(errors).catch((error: unknown) => [error]) : errors;
  } catch (error) {
    return [error];
  }
}

/** Records the end of a delivery; a store failure is reported, since the answer no longer depends on it. */
function settle(
  context: DeliveryContext,
  step: 'complete' | 'release',
  provider: string,
  deliveryId: string,
): MaybePromise<void> {
  try {
    const result = context.store[step](provider, deliveryId);
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        () => undefined,
        (cause: unknown) => reportStoreFailure(context, step, cause),
      );
    }
  } catch (cause) {
    reportStoreFailure(context, step, cause);
  }
  return undefined;
}

function reportStoreFailure(context: DeliveryContext, step: 'complete' | 'release', cause: unknown): void {
  const operation = step === 'complete' ? 'record a handled delivery id' : 'release a failed delivery id';
  context.report(new StoreUnavailableError(operation, cause));
}
