import type { AssociationAction, AssociationEvent } from './shared/association-event.js';
import type { HeaderReader } from './shared/headers.js';

/** A delivery as a provider sees it: raw bytes and case-insensitive headers. */
export interface DeliveryRequest {
  /** Reads a header by its lower-case name; undefined when absent. */
  readonly header: HeaderReader;
  /** The exact bytes the CRM sent. */
  readonly body: Uint8Array;
  /** HTTP method, when the caller passed it (needed by URL-signing providers). */
  readonly method: string | undefined;
  /** Full public URL the CRM called, when the caller passed it; or the URLs it may have called. */
  readonly url: string | readonly string[] | undefined;
  /**
   * When the delivery arrived, in ms since the epoch: signed times are checked against it. Now,
   * except when a journal replays a stored delivery (then its original arrival).
   */
  readonly receivedAt: number;
  /**
   * The tenant the path it was sent to names (`/webhooks/superoffice/:tenant`), when the caller
   * passed one: a provider with a secret per tenant verifies with that tenant's secret, and the
   * receiver refuses events whose signed body names another.
   */
  readonly tenant?: string | undefined;
  /**
   * Set when the delivery comes from a journal (a replay, a rebuild), which kept it only after it
   * verified. A provider that verifies by a key the request carries (Dataverse), not by a
   * signature over the bytes, finds no key here: a journal never keeps one.
   */
  readonly stored?: boolean;
}

/** One event found in a verified delivery. A body may hold several (batching providers). */
export interface ProviderEvent {
  /** Namespaced event name, e.g. `superoffice.relation.created`. */
  readonly name: string;
  /** Delivery id used for idempotency, unique within the provider. */
  readonly deliveryId: string;
  /**
   * The customer it belongs to, from the signed bytes (SuperOffice `ContextIdentifier`,
   * HighLevel `locationId` or `companyId`, HubSpot `portalId`); undefined when they name none.
   */
  readonly tenant?: string | undefined;
  /** When the CRM signed it (ms since the epoch), from the signed bytes; undefined when they carry no time. */
  readonly signedAt?: number | undefined;
  /** The native payload handed to handlers. */
  readonly payload: unknown;
  /**
   * Set for link changes. `build` is called only when someone listens to the
   * association event, so deliveries nobody normalizes pay nothing for it.
   */
  readonly association?: {
    readonly action: AssociationAction;
    /** The link event; several when one native event changes several links (Dataverse's `Associate` of several rows). */
    readonly build: () => AssociationEvent | readonly AssociationEvent[];
  };
  /**
   * Handler failures are reported to `onError` but never fail the delivery.
   * For provider checks (SuperOffice's `test` event) that must be answered 200.
   */
  readonly alwaysAcknowledge?: boolean;
}

/** Marker for the events a provider dispatches; exists only in types. */
declare const providerEventTypes: unique symbol;

/**
 * A CRM that sends webhooks. A provider knows its headers, how to verify a
 * signature over the raw bytes, and how to turn a verified body into events.
 * The receiver knows nothing else about it, so adding a provider never touches
 * the dispatcher.
 *
 * @typeParam TName - Namespace of its event names, e.g. `superoffice`.
 * @typeParam TEvents - Maps each of its event names to the payload type.
 * @typeParam TAssociation - Type of the association events it produces.
 */
export interface WebhookProvider<
  TName extends string = string,
  TEvents extends object = object,
  TAssociation extends AssociationEvent = AssociationEvent,
> {
  /** Namespace and id of the provider, e.g. `superoffice`. */
  readonly name: TName;
  /** Name for humans, e.g. `SuperOffice`. */
  readonly displayName: string;
  /** Signature headers this provider reads, as documented; listed when a request carries none. */
  readonly signatureHeaders: readonly string[];
  /**
   * Every header `verify` reads (lower case): what a journal keeps beside the body so the
   * delivery can be verified again when it is replayed. Default: `signatureHeaders`.
   */
  readonly verifiedHeaders?: readonly string[];
  /**
   * The only success status this provider accepts, if it is that strict
   * (SuperOffice: exactly 200). Adapters never answer its deliveries otherwise.
   */
  readonly requiredSuccessStatus?: number;
  /**
   * The status that makes this CRM deliver again later, when it retries only some statuses
   * (HighLevel retries 429 and nothing else). Every retryable outcome of its deliveries (a
   * handler failed or timed out, the store is down, the delivery is in progress) is answered
   * with it, plus `Retry-After`. Default: the error's own status (500, 503 or 409).
   */
  readonly retryStatus?: number;
  /**
   * Whether the signature covers the request's method and URL (HubSpot v3 does).
   * Adapters compute the public URL only when some provider needs it.
   */
  readonly signsUrl?: boolean;
  /** Whether verification reads the request's URL for another reason (a key in its query, as Dataverse may send). */
  readonly readsUrl?: boolean;
  /** Query parameters that carry a secret (Dataverse's `code`): a journal keeps the URL without them. */
  readonly secretQueryParameters?: readonly string[];
  /** Whether the request carries this provider's headers (signed or not). Must be cheap. */
  recognizes(header: HeaderReader): boolean;
  /**
   * Throws (or rejects with) a 401 `WebhookError` unless the raw body carries a valid signature.
   * Only what the signature covers may decide anything afterwards (event name, delivery id,
   * timestamps, tenant). A provider whose secrets are looked up per tenant returns a promise:
   * it verifies with the secrets of the tenant the delivery claims (`request.tenant`, else its body).
   */
  verify(request: DeliveryRequest): void | Promise<void>;
  /** Turns the verified, parsed JSON body into events; throws a 400 `WebhookError` when its shape is wrong. */
  parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[];
  /** @internal Type-level only: never set at run time. */
  readonly [providerEventTypes]?: { events: TEvents; association: TAssociation };
}
