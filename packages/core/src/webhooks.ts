import { DeliveryInProgressError, InternalError } from './errors/delivery-errors.js';
import { MissingSignatureError, PayloadTooLargeError } from './errors/request-errors.js';
import { ConfigurationError } from './errors/usage-errors.js';
import { WebhookError } from './errors/webhook-error.js';
import { EventDispatcher } from './events/dispatcher.js';
import type { AnyEvent, EventHandler, EventMapFor, EventName } from './events/event-map.js';
import { MemoryIdempotencyStore } from './idempotency/memory-store.js';
import type { IdempotencyStore } from './idempotency/store.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from './providers/provider.js';
import { isPromiseLike, type MaybePromise } from './util/maybe-promise.js';
import { parseJsonBody, toBytes, type RawBody } from './receive/body.js';
import { deliverEvent, type DeliveredEvent, type DeliveryContext } from './receive/deliver.js';
import { createHeaderReader, type HeaderReader, type IncomingHeaders } from './receive/headers.js';
import { failureOutcome, successOutcome, type ReceiveOutcome } from './receive/outcome.js';

/** Default body size limit: 1 MiB, far above any single CRM event. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link createWebhooks}. */
export interface CrmWebhooksOptions<P extends readonly WebhookProvider[] = readonly WebhookProvider[]> {
  /** The CRMs this receiver accepts; each delivery's provider is recognised from its headers. */
  readonly providers: P;
  /**
   * Remembers handled delivery ids so each is dispatched once.
   * Default: a `MemoryIdempotencyStore` (this process only, bounded).
   */
  readonly store?: IdempotencyStore;
  /** Largest body accepted, in bytes; larger ones are answered 413. Default: 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * How long asynchronous handlers may run before the delivery is answered 500 and its
   * id released, so the CRM retries it (the late handler may still finish). Default: 30 s.
   */
  readonly handlerTimeoutMs?: number;
  /**
   * Opt-in: answer a delivery as handled once its handlers have run this long, and let
   * them finish in the background. Trade-off: a failure after that is reported to
   * `onError` but never retried by the CRM. Default: off (answer when handlers settle).
   */
  readonly acknowledgeAfterMs?: number;
  /** How long the store may take to claim an id before the delivery is answered 503. Default: 5 s. */
  readonly storeTimeoutMs?: number;
}

/** One incoming request, as `receive` takes it. */
export interface Delivery {
  /** Request headers: Node's `req.headers`, a Web `Headers`, or a plain object (any case). */
  readonly headers: IncomingHeaders;
  /** The raw body: the exact bytes (Buffer/Uint8Array/ArrayBuffer) or the exact string. Never a parsed object. */
  readonly body: RawBody;
  /** HTTP method; used by providers that sign it. */
  readonly method?: string;
  /** Full public URL the CRM called; used by providers that sign it. */
  readonly url?: string;
}

/**
 * The part of a receiver that HTTP adapters need; independent of its event map,
 * so an adapter accepts any receiver.
 */
export interface DeliveryReceiver {
  /** Largest accepted body in bytes. */
  readonly maxBodyBytes: number;
  /** The configured providers. */
  readonly providers: readonly WebhookProvider[];
  /** Verifies, parses and dispatches one delivery; see {@link CrmWebhooks.receive}. */
  receive(delivery: Delivery): Promise<ReceiveOutcome>;
}

/** Handler of failures: handler errors, and store errors that did not change the answer. */
export type ErrorHandler = (error: WebhookError) => unknown;

/**
 * A webhook receiver: verifies deliveries from its providers, dispatches each
 * genuine one once to typed handlers, and tells the caller how to answer.
 *
 * @typeParam M - Event map: event name to payload type. Inferred by {@link createWebhooks}.
 */
export class CrmWebhooks<M extends object> implements DeliveryReceiver {
  /** Largest accepted body in bytes. */
  readonly maxBodyBytes: number;
  /** The configured providers, in recognition order. */
  readonly providers: readonly WebhookProvider[];
  /** The idempotency store in use. */
  readonly store: IdempotencyStore;

  readonly #dispatcher = new EventDispatcher();
  readonly #errorHandlers = new Set<ErrorHandler>();
  readonly #context: DeliveryContext;
  readonly #expectedHeaders: string;

  constructor(options: CrmWebhooksOptions) {
    this.providers = validateProviders(options?.providers);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(this.maxBodyBytes) || this.maxBodyBytes <= 0) {
      throw new ConfigurationError('maxBodyBytes must be a positive whole number of bytes.');
    }
    this.store = options.store ?? new MemoryIdempotencyStore();
    this.#context = {
      store: this.store,
      timeouts: {
        handlerMs: positiveMs(options.handlerTimeoutMs ?? 30_000, 'handlerTimeoutMs'),
        acknowledgeAfterMs: options.acknowledgeAfterMs === undefined ? undefined : positiveMs(options.acknowledgeAfterMs, 'acknowledgeAfterMs'),
        storeMs: positiveMs(options.storeTimeoutMs ?? 5_000, 'storeTimeoutMs'),
      },
      dispatcher: this.#dispatcher,
      report: (error) => this.#report(error),
    };
    this.#expectedHeaders = this.providers
      .map((provider) => `${provider.signatureHeaders.join(' or ')} (${provider.displayName})`)
      .join(', ');
  }

  /**
   * Calls `handler` for every genuine delivery of the named event(s). With an
   * array of names the payload is the union of their payload types.
   * Handlers of one delivery run concurrently; the delivery succeeds once all settle without error.
   */
  on<K extends EventName<M>>(name: K | readonly K[], handler: EventHandler<M[K]>): this {
    for (const one of toArray(name)) this.#dispatcher.add(one, handler);
    return this;
  }

  /** Removes a handler added with `on`. */
  off<K extends EventName<M>>(name: K | readonly K[], handler: EventHandler<M[K]>): this {
    for (const one of toArray(name)) this.#dispatcher.remove(one, handler);
    return this;
  }

  /** Calls `handler` for every native event (not the association events derived from them). */
  onAny(handler: (event: AnyEvent<M>) => unknown): this {
    this.#dispatcher.addAny(handler as (event: unknown) => unknown);
    return this;
  }

  /** Removes a handler added with `onAny`. */
  offAny(handler: (event: AnyEvent<M>) => unknown): this {
    this.#dispatcher.removeAny(handler as (event: unknown) => unknown);
    return this;
  }

  /**
   * Calls `handler` when handlers fail (a `HandlerError` carrying every error and the
   * event) or the store fails. Errors thrown by `handler` itself are ignored.
   */
  onError(handler: ErrorHandler): this {
    this.#errorHandlers.add(handler);
    return this;
  }

  /** Removes a handler added with `onError`. */
  offError(handler: ErrorHandler): this {
    this.#errorHandlers.delete(handler);
    return this;
  }

  /**
   * Verifies, parses and dispatches one delivery, and returns how to answer it.
   * Never throws for bad input (forged, malformed, oversized, duplicate: all become
   * an outcome); throws a `RawBodyRequiredError` (TypeError) only if `body` is a parsed object.
   */
  async receive(delivery: Delivery): Promise<ReceiveOutcome> {
    const body = toBytes(delivery.body);
    try {
      if (body.byteLength > this.maxBodyBytes) throw new PayloadTooLargeError(this.maxBodyBytes, body.byteLength);
      const header = createHeaderReader(delivery.headers ?? {});
      const provider = this.#recognize(header);
      const request: DeliveryRequest = { header, body, method: delivery.method, url: delivery.url };
      provider.verify(request);
      const events = provider.parse(parseJsonBody(body, provider.name), request);
      const delivered = this.#deliverAll(events, provider.name);
      return outcomeOf(isPromiseLike(delivered) ? await delivered : delivered);
    } catch (error) {
      return failureOutcome(error instanceof WebhookError ? error : new InternalError(error));
    }
  }

  #deliverAll(events: readonly ProviderEvent[], provider: string): MaybePromise<readonly DeliveredEvent[]> {
    if (events.length === 1) {
      const one = deliverEvent(events[0]!, provider, this.#context);
      return isPromiseLike(one) ? one.then(inArray) : [one];
    }
    const delivered = events.map((event) => deliverEvent(event, provider, this.#context));
    // A batch whose events all settled synchronously needs no Promise.all.
    return delivered.some(isPromiseLike) ? Promise.all(delivered) : (delivered as DeliveredEvent[]);
  }

  #recognize(header: HeaderReader): WebhookProvider {
    for (const provider of this.providers) if (provider.recognizes(header)) return provider;
    throw new MissingSignatureError(
      `The request carries no CRM webhook signature. Expected ${this.#expectedHeaders}. ` +
        'Deliveries are only accepted from the providers this receiver is configured with.',
    );
  }

  #report(error: WebhookError): void {
    for (const handler of this.#errorHandlers) {
      try {
        Promise.resolve(handler(error)).catch(() => undefined);
      } catch {
        // An error handler must never take the receiver down.
      }
    }
  }
}

/**
 * Creates a receiver for the given providers; handler types follow from them.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({
 *   providers: [superoffice({ secret: process.env.SUPEROFFICE_SECRET! }), highlevel()],
 * });
 * webhooks.on('association.deleted', (link) => unlink(link.from, link.to));
 * const outcome = await webhooks.receive({ headers: req.headers, body: rawBody });
 * ```
 */
export function createWebhooks<const P extends readonly WebhookProvider[]>(
  options: CrmWebhooksOptions<P>,
): CrmWebhooks<EventMapFor<P>> {
  return new CrmWebhooks<EventMapFor<P>>(options);
}

const inArray = <T>(value: T): T[] => [value];

function outcomeOf(delivered: readonly DeliveredEvent[]): ReceiveOutcome {
  let busy: DeliveredEvent | undefined;
  for (const event of delivered) {
    if (event.error !== undefined) return failureOutcome(event.error, delivered);
    if (event.result === 'in_progress') busy ??= event;
  }
  return busy ? failureOutcome(new DeliveryInProgressError(busy), delivered) : successOutcome(delivered);
}

function validateProviders(providers: readonly WebhookProvider[] | undefined): readonly WebhookProvider[] {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new ConfigurationError(
      'createWebhooks needs at least one provider, e.g. createWebhooks({ providers: [superoffice({ secret }), highlevel()] }).',
    );
  }
  const names = new Set<string>();
  for (const provider of providers) {
    if (names.has(provider.name)) {
      throw new ConfigurationError(
        `Provider "${provider.name}" is configured twice; pass several secrets or keys to one provider instead.`,
      );
    }
    names.add(provider.name);
  }
  return [...providers];
}

function positiveMs(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive number of milliseconds.`);
  return value;
}

function toArray<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}
