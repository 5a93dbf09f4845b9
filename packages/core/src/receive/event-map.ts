import type { WebhookProvider } from '../providers/provider.js';
import type { AssociationEvent } from '../providers/shared/association-event.js';

/** Names of the cross-provider association events. */
export type AssociationEventName = 'association.created' | 'association.updated' | 'association.deleted';

/** Maps each association event name to its payload, narrowed by action. */
export type AssociationEventMap<TEvent extends AssociationEvent> = {
  'association.created': TEvent & { readonly action: 'created' };
  'association.updated': TEvent & { readonly action: 'updated' };
  'association.deleted': TEvent & { readonly action: 'deleted' };
};

type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void
  ? I
  : never;

type EventsOf<P> = P extends WebhookProvider<string, infer E, AssociationEvent> ? E : never;
type AssociationsOf<P> = P extends WebhookProvider<string, object, infer A> ? A : never;

/** The full event map of a receiver configured with providers `P`: native events plus association events. */
export type EventMapFor<P extends readonly WebhookProvider[]> = UnionToIntersection<EventsOf<P[number]>> &
  AssociationEventMap<AssociationsOf<P[number]>>;

/** Event names of an event map, as strings. */
export type EventName<M> = keyof M & string;

/** What every handler gets besides the payload. */
export interface EventContext {
  /** Namespaced name of the event being dispatched (e.g. `association.deleted`). */
  readonly name: string;
  /** Provider that sent the delivery. */
  readonly provider: string;
  /** The provider's delivery id; the idempotency key within that provider. */
  readonly deliveryId: string;
  /**
   * The customer the event belongs to, from its signed bytes: SuperOffice `ContextIdentifier`,
   * HighLevel `locationId` (or `companyId`), HubSpot `portalId`. Undefined when the payload names none.
   */
  readonly tenant: string | undefined;
  /**
   * Aborted when the handlers' time is up (`handlerTimeoutMs`, or the queue job's) and when
   * the receiver or worker shuts down: pass it to `fetch`, database calls and the like, or
   * stop when it aborts. Its `reason` says why.
   */
  readonly signal: AbortSignal;
  /** True when the journal replays a stored delivery (`webhooks.replay`), false for what a CRM sent. */
  readonly replay: boolean;
}

/** A handler for payload type `T`. It may return a promise; the delivery succeeds only once it settles. */
export type EventHandler<T> = (payload: T, context: EventContext) => unknown;

/** Everything `onAny` sees: one native event of a delivery (association events are not repeated there). */
export interface AnyEvent<M> extends EventContext {
  readonly name: Exclude<EventName<M>, AssociationEventName>;
  readonly payload: M[Exclude<keyof M, AssociationEventName>];
}
