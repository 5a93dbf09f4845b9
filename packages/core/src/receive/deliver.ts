import { HandlerError, StoreUnavailableError } from '../errors/delivery-errors.js';
import type { WebhookError } from '../errors/webhook-error.js';
import type { EventDispatcher } from '../events/dispatcher.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { EventOutcome } from './outcome.js';

/** What delivering one event needs from the receiver. */
export interface DeliveryContext {
  readonly provider: string;
  readonly store: IdempotencyStore;
  readonly dispatcher: EventDispatcher;
  /** Reports failures that do not change the answer (or that also fail it). */
  readonly report: (error: WebhookError) => void;
}

/** An event's outcome, with the error that failed it. */
export type DeliveredEvent = EventOutcome & { readonly error?: HandlerError };

/**
 * Handles one event exactly once: claim its id, run its handlers, then mark it
 * handled, or release it on failure so the provider's retry is dispatched.
 * Throws StoreUnavailableError if the id cannot be claimed.
 */
export async function deliverEvent(event: ProviderEvent, context: DeliveryContext): Promise<DeliveredEvent> {
  const reference = { name: event.name, provider: context.provider, deliveryId: event.deliveryId };
  const key = `${context.provider}:${event.deliveryId}`;

  let claim;
  try {
    claim = await context.store.claim(key);
  } catch (cause) {
    throw new StoreUnavailableError('claim a delivery id', cause);
  }
  if (claim === 'completed') return { ...reference, result: 'duplicate' };
  if (claim === 'in_progress') return { ...reference, result: 'in_progress' };

  let errors: unknown[];
  try {
    errors = await context.dispatcher.dispatch(event, context.provider);
  } catch (error) {
    errors = [error];
  }

  if (errors.length > 0) {
    const error = new HandlerError(reference, errors);
    context.report(error);
    if (!event.alwaysAcknowledge) {
      await settle(() => context.store.release(key), 'release a failed delivery id', context);
      return { ...reference, result: 'failed', error };
    }
  }
  // The handlers ran: answering 5xx now would make the CRM deliver it twice,
  // so a store failure here is reported, not answered.
  await settle(() => context.store.complete(key), 'record a handled delivery id', context);
  return { ...reference, result: 'handled' };
}

async function settle(run: () => unknown, operation: string, context: DeliveryContext): Promise<void> {
  try {
    await run();
  } catch (cause) {
    context.report(new StoreUnavailableError(operation, cause));
  }
}
