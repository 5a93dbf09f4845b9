import { DeliveryInProgressError, InternalError } from '../errors/delivery-errors.js';
import { ConfigurationError } from '../errors/usage-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../providers/provider.js';
import { associationsOf, type AssociationEvent } from '../providers/shared/association-event.js';
import { createHeaderReader } from '../providers/shared/headers.js';
import { parseJsonBody } from './body.js';
import { deliverEvent, type DeliveryContext } from './deliver.js';
import type { ArrivedDelivery, DeliveryJournal } from './journal.js';
import { attemptsOf, note } from './journaling.js';
import { isStorableEvent } from './names.js';
import type { EventOutcome } from './outcome.js';

/** A delivery as a journal stored it, to be replayed: `ArrivedDelivery` without its events. */
export type StoredDelivery = Omit<ArrivedDelivery, 'events'>;

/** One event of a stored delivery, as a journal's page shows it. */
export interface StoredEvent {
  readonly name: string;
  readonly deliveryId: string;
  readonly tenant?: string | undefined;
  /** Its (first) association event, for a link change. */
  readonly association?: AssociationEvent;
  /** Every association event it makes: one, or several when it changed several links (Dataverse's `Associate` of several rows). */
  readonly associations: readonly AssociationEvent[];
}

/**
 * Verifies and parses a stored delivery with today's secrets, its signed times checked against
 * its first arrival: its provider and events, or the error that stops it (a rotated secret, say).
 * Throws a `ConfigurationError` only for a provider the receiver is not configured with.
 */
export async function readStoredDelivery(
  providers: readonly WebhookProvider[],
  delivery: StoredDelivery,
): Promise<{ provider: WebhookProvider; events: readonly ProviderEvent[] } | { error: WebhookError }> {
  const provider = providers.find((one) => one.name === delivery.provider);
  if (provider === undefined) {
    const names = providers.map((one) => one.name).join(', ');
    throw new ConfigurationError(`A ${delivery.provider} delivery cannot be read by a receiver configured for ${names}: add that provider to createWebhooks({ providers }).`);
  }
  try {
    const request: DeliveryRequest = { ...delivery, header: createHeaderReader(delivery.headers), stored: true };
    await provider.verify(request);
    return { provider, events: provider.parse(parseJsonBody(delivery.body, provider.name), request) };
  } catch (error) {
    return { error: error instanceof WebhookError ? error : new InternalError(error, provider.name) };
  }
}

/** The events of a stored delivery as handlers would get them, association events built. */
export async function storedEvents(providers: readonly WebhookProvider[], delivery: StoredDelivery): Promise<{ readonly events: readonly StoredEvent[]; readonly error?: WebhookError }> {
  const read = await readStoredDelivery(providers, delivery);
  if ('error' in read) return { events: [], error: read.error };
  return {
    events: read.events.map((event) => {
      const associations = associationsOf(event);
      return { name: event.name, deliveryId: event.deliveryId, tenant: event.tenant, ...(associations[0] && { association: associations[0] }), associations };
    }),
  };
}

/** What `replay` did: each event run again, or why the delivery could not be (`error`). */
export interface ReplayOutcome {
  readonly events: readonly EventOutcome[];
  /** Set when nothing ran: the delivery no longer verifies (a rotated secret, say). */
  readonly error?: WebhookError;
}

/**
 * Runs a stored delivery's events again, or those named in `deliveryIds` (see
 * `CrmWebhooks.replay`): each claimed as a replay, then handled or queued as a delivery's would
 * be, and every attempt noted in the journal. `reportOnce` gets failures the claim ended with
 * (handler and store failures after it were reported where they happened).
 */
export async function replayStored(
  providers: readonly WebhookProvider[],
  delivery: StoredDelivery,
  deliveryIds: readonly string[] | undefined,
  receiver: { readonly context: DeliveryContext; readonly journal: DeliveryJournal | undefined; readonly reportOnce: (error: WebhookError) => void },
): Promise<ReplayOutcome> {
  const started = performance.now();
  const read = await readStoredDelivery(providers, delivery);
  if ('error' in read) return { events: [], error: read.error };
  const { provider, events } = read;
  const { context, journal } = receiver;
  // An event no store can key was parked when it arrived, never recorded: it is not run again.
  const chosen = events.filter((event) => isStorableEvent(event) && (deliveryIds === undefined || deliveryIds.includes(event.deliveryId)));
  const delivered = await Promise.all(chosen.map((event) => deliverEvent(event, provider.name, context, true)));
  for (const { error } of delivered) if (error && !(error instanceof DeliveryInProgressError)) receiver.reportOnce(error);
  if (journal) {
    const how = { status: undefined, durationMs: performance.now() - started, replay: true, queued: context.queue !== undefined };
    await note(journal, attemptsOf(delivered, how), context);
  }
  return { events: delivered.map(({ outcome }) => outcome) };
}
