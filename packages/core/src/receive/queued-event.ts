import type { Logger } from '../observe/logger.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { AssociationEvent } from '../providers/shared/association-event.js';

/**
 * A verified event as plain JSON: what a queue stores, and what a worker hands to
 * `webhooks.handle()` to run the same handlers a receiver would.
 */
export interface QueuedEvent {
  /** Provider that sent it, e.g. `superoffice`. */
  readonly provider: string;
  /** Namespaced event name, e.g. `superoffice.relation.created`. */
  readonly name: string;
  /** The provider's delivery id: the same for every copy, so a queue can key its job on it. */
  readonly deliveryId: string;
  /** The customer it belongs to, from the signed bytes; absent when they name none. */
  readonly tenant?: string;
  /** The native payload, as the CRM sent it. */
  readonly payload: unknown;
  /** The association event derived from it, for link changes (built by the receiver); several when it changed several links. */
  readonly association?: AssociationEvent | readonly AssociationEvent[];
  /** Set when the journal replays it (`webhooks.replay`): a queue must not take it for a copy of the first run. */
  readonly replay?: true;
}

/**
 * Where a receiver hands verified events instead of running handlers in the request:
 * a durable queue (`@crmhooks/bullmq`). The delivery is answered 2xx only once `enqueue`
 * resolves; a rejection, or no answer within `storeTimeoutMs`, answers it so that the
 * CRM retries, and releases its id.
 */
export interface EventQueue {
  enqueue(event: QueuedEvent): Promise<void>;
  /** Optional: the receiver registers here to log what weakens the queue's guarantee (a server that does not persist). */
  onWarning?(listener: (message: string) => void): void;
}

/**
 * What a queue's worker needs of a receiver (`createWebhooks(...)` fits): its handlers, run by
 * `handle()`, and where the worker logs its own errors (a lost connection; default the console).
 */
export interface EventHandlers {
  handle(event: QueuedEvent, options?: { readonly signal?: AbortSignal }): Promise<void>;
  readonly logger?: Logger;
}

/** The event as a queue stores it; the association event is built now, since workers cannot rebuild it. */
export function toQueuedEvent(event: ProviderEvent, provider: string, replay = false): QueuedEvent {
  const queued = {
    provider,
    name: event.name,
    deliveryId: event.deliveryId,
    ...(event.tenant !== undefined && { tenant: event.tenant }),
    payload: event.payload,
    ...(replay && { replay: true as const }),
  };
  return event.association ? { ...queued, association: event.association.build() } : queued;
}

/** A stored event as the dispatcher takes it again. */
export function fromQueuedEvent(event: QueuedEvent): ProviderEvent {
  const { association } = event;
  return {
    name: event.name,
    deliveryId: event.deliveryId,
    tenant: event.tenant,
    payload: event.payload,
    ...(association && { association: { action: (Array.isArray(association) ? association[0] : (association as AssociationEvent)).action, build: () => association } }),
  };
}
