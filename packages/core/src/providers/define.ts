import { InvalidPayloadError } from '../errors/request-errors.js';
import { ConfigurationError } from '../errors/usage-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from './provider.js';
import type { AssociationAction, AssociationEnd, AssociationEvent } from './shared/association-event.js';
import type { HeaderReader } from './shared/headers.js';

/** One event a CRM's delivery holds, as your `parse` returns it. */
export interface DefinedEvent<TEvent extends string, TPayload> {
  /** Its name without the provider's namespace: `lead.updated` becomes `close.lead.updated`. */
  readonly event: TEvent;
  /**
   * Its id for idempotency, from the signed bytes: the same on every retry of it, different for
   * every other event (`contentId(body)` when the CRM sends none).
   */
  readonly id: string;
  /** The customer it belongs to, when the signed bytes name one. */
  readonly tenant?: string | undefined;
  /** When the CRM signed it (ms since the epoch), when the signed bytes say. */
  readonly signedAt?: number | undefined;
  /** What its handlers get. */
  readonly payload: TPayload;
  /** For a link between two records: the link, dispatched as `association.<action>` beside the event. */
  readonly link?: DefinedLink | readonly DefinedLink[];
}

/** A link a CRM event changed: its action, its two ends, and what the CRM calls it. */
export interface DefinedLink {
  readonly action: AssociationAction;
  readonly from: AssociationEnd;
  readonly to: AssociationEnd;
  /** The link's own id, where the CRM has one. */
  readonly id?: string | undefined;
  /** The kind of link (a relationship or association type). */
  readonly definitionId?: string | undefined;
  /** When it happened (ISO 8601), where the CRM says. */
  readonly occurredAt?: string | undefined;
}

/** What {@link defineProvider} makes a provider from. */
export interface ProviderDefinition<TName extends string, TEvent extends string, TPayload> {
  /** Its namespace, lower case: `close` names its events `close.<event>`. */
  readonly name: TName;
  /** Its name for people (error messages). Default: `name`. */
  readonly displayName?: string;
  /** The event names it sends, without the namespace; handlers of any other name do not compile. */
  readonly events: readonly TEvent[];
  /**
   * The headers its signature is in (lower case), as the CRM documents them: a request with one of
   * them is its delivery, and a journal keeps them beside the body so that a replay verifies again.
   */
  readonly signatureHeaders: readonly string[];
  /** Other headers `verify` reads (a signed timestamp), kept by a journal too. */
  readonly verifiedHeaders?: readonly string[];
  /** The status that makes this CRM retry, when it retries only some (see `WebhookProvider.retryStatus`). */
  readonly retryStatus?: number;
  /** The one success status it accepts, if it is that strict. */
  readonly requiredSuccessStatus?: number;
  /**
   * Checks the signature over the raw bytes (`request.body`): throw `MissingSignatureError` or
   * `InvalidSignatureError` (401) to refuse, with a message that says what to check.
   */
  verify(request: DeliveryRequest): void | Promise<void>;
  /** Turns the verified, parsed JSON body into its events; throw `InvalidPayloadError` (400) when its shape is wrong. */
  parse(body: unknown, request: DeliveryRequest): DefinedEvent<TEvent, TPayload> | readonly DefinedEvent<TEvent, TPayload>[];
}

/** The provider {@link defineProvider} makes: its events typed by their names. */
export type DefinedProvider<TName extends string, TEvent extends string, TPayload> = WebhookProvider<
  TName,
  { readonly [K in TEvent as `${TName}.${K}`]: TPayload },
  AssociationEvent<TName, TPayload>
>;

/**
 * Makes a provider for a CRM crmhooks does not know, from how it signs and what it sends: it then
 * works with every adapter, store, queue, journal and the link mirror, as the built-in ones do.
 *
 * @example
 * ```ts
 * const close = defineProvider({
 *   name: 'close',
 *   events: ['lead.updated', 'opportunity.created'],
 *   signatureHeaders: ['close-sig-hash'],
 *   verifiedHeaders: ['close-sig-timestamp'],
 *   verify(request) { ... },
 *   parse: (body) => ({ event: ..., id: ..., payload: body }),
 * });
 * createWebhooks({ providers: [close] }).on('close.lead.updated', (event) => ...);
 * ```
 */
export function defineProvider<const TName extends string, const TEvent extends string, TPayload = unknown>(
  definition: ProviderDefinition<TName, TEvent, TPayload>,
): DefinedProvider<TName, TEvent, TPayload> {
  const { name } = definition;
  if (!/^[a-z][a-z0-9-]*$/.test(name ?? '')) throw new ConfigurationError(`defineProvider({ name }) must be lower-case letters, digits and -, starting with a letter, got "${name}".`);
  if (!Array.isArray(definition.signatureHeaders) || definition.signatureHeaders.length === 0) {
    throw new ConfigurationError(`defineProvider({ signatureHeaders }) of "${name}" must name at least one header: the one its signature is in.`);
  }
  const signatureHeaders = definition.signatureHeaders.map((header) => header.toLowerCase());
  const displayName = definition.displayName ?? name;

  return {
    name,
    displayName,
    signatureHeaders,
    verifiedHeaders: [...signatureHeaders, ...(definition.verifiedHeaders ?? []).map((header) => header.toLowerCase())],
    ...(definition.retryStatus !== undefined && { retryStatus: definition.retryStatus }),
    ...(definition.requiredSuccessStatus !== undefined && { requiredSuccessStatus: definition.requiredSuccessStatus }),
    recognizes: (header: HeaderReader) => signatureHeaders.some((one) => header(one) !== undefined),
    verify: (request) => definition.verify(request),
    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      const parsed = definition.parse(json, request);
      const events = Array.isArray(parsed) ? (parsed as readonly DefinedEvent<TEvent, TPayload>[]) : [parsed as DefinedEvent<TEvent, TPayload>];
      return events.map((event) => {
        if (typeof event?.id !== 'string' || event.id === '') throw new InvalidPayloadError(`The ${displayName} event has no id, so it cannot be handled once.`, name);
        const eventName = `${name}.${String(event.event)}`;
        const links = event.link === undefined ? [] : Array.isArray(event.link) ? (event.link as readonly DefinedLink[]) : [event.link as DefinedLink];
        const base = { name: eventName, deliveryId: event.id, tenant: event.tenant, signedAt: event.signedAt, payload: event.payload };
        if (links.length === 0) return base;
        const build = () =>
          links.map(
            (link): AssociationEvent<TName, TPayload> => ({
              action: link.action,
              level: 'record',
              provider: name,
              tenant: event.tenant,
              id: link.id,
              definitionId: link.definitionId,
              from: link.from,
              to: link.to,
              occurredAt: link.occurredAt,
              deliveryId: event.id,
              native: { name: eventName, payload: event.payload },
            }),
          );
        return { ...base, association: { action: links[0]!.action, build } };
      });
    },
  } as DefinedProvider<TName, TEvent, TPayload>;
}
