import { EventParkedError, ReceiverClosedError, InternalError, type EventReference } from '../errors/delivery-errors.js';
import { MissingSignatureError, PayloadTooLargeError } from '../errors/request-errors.js';
import { ConfigurationError } from '../errors/usage-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import { LeaseKeeper } from '../idempotency/lease-keeper.js';
import { MemoryIdempotencyStore } from '../idempotency/memory-store.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import { toLogger, type Logger } from '../observe/logger.js';
import { RejectionLog } from '../observe/rejection-log.js';
import { Telemetry } from '../observe/telemetry.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../providers/provider.js';
import { createHeaderReader, type HeaderReader, type IncomingHeaders } from '../providers/shared/headers.js';
import { parseJsonBody, toBytes } from './body.js';
import { isStorableEvent } from './names.js';
import { deliverEvent, park, parkUnprocessable, resultOf, runHandlers, type DeliveredEvent, type DeliveryContext } from './deliver.js';
import type { DeliveryJournal } from './journal.js';
import { arrivedDelivery, attemptsOf, keep, note } from './journaling.js';
import { positiveMs, validateProviders, validateStore } from './option-checks.js';
import { replayStored, storedEvents, type ReplayOutcome, type StoredDelivery, type StoredEvent } from './stored-delivery.js';
import { bindTenant } from './tenant-binding.js';
import { EventDispatcher } from './dispatcher.js';
import type { AnyEvent, EventHandler, EventMapFor, EventName } from './event-map.js';
import type { HandlerSignal } from './handler-context.js';
import { failureOutcome, successOutcome, type EventResult, type ReceiveOutcome } from './outcome.js';
import { fromQueuedEvent, type QueuedEvent } from './queued-event.js';
import { DEFAULT_MAX_BODY_BYTES, type CrmWebhooksOptions, type Delivery, type DeliveryReceiver, type ErrorHandler } from './receiver-options.js';

export { DEFAULT_MAX_BODY_BYTES, type CrmWebhooksOptions, type Delivery, type DeliveryReceiver, type ErrorHandler } from './receiver-options.js';
export type { ReplayOutcome, StoredDelivery } from './stored-delivery.js';

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
  /** Where rejected and failed deliveries are logged. */
  readonly logger: Logger;

  readonly #dispatcher = new EventDispatcher();
  readonly #errorHandlers = new Set<ErrorHandler>();
  readonly #running = new Map<HandlerSignal, Promise<unknown>>();
  /** Deliveries being received, each until its attempts are noted in the journal. */
  readonly #receiving = new Set<Promise<unknown>>();
  readonly #telemetry = new Telemetry();
  readonly #rejections: RejectionLog;
  /** Errors already logged where they happened (handler and store failures), so none is logged twice. */
  readonly #reported = new WeakSet<WebhookError>();
  readonly #context: DeliveryContext;
  readonly #journal: DeliveryJournal | undefined;
  /** Stops what the journal runs through this receiver (its recovery of orphaned events). */
  readonly #detachJournal: (() => void) | undefined;
  #closed = false;

  constructor(options: CrmWebhooksOptions) {
    this.providers = validateProviders(options?.providers);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(this.maxBodyBytes) || this.maxBodyBytes <= 0) {
      throw new ConfigurationError('createWebhooks({ maxBodyBytes }) must be a positive whole number of bytes.');
    }
    this.logger = toLogger(options.logger);
    this.#rejections = new RejectionLog(this.logger);
    this.store = validateStore(options.store ?? new MemoryIdempotencyStore());
    this.store.onWarning?.((message) => this.logger.warn({ code: 'store_warning' }, message));
    options.queue?.onWarning?.((message) => this.logger.warn({ code: 'queue_warning' }, message));
    const leases = new LeaseKeeper(this.store, ({ provider, deliveryId }) =>
      this.logger.warn(
        { code: 'lease_lost', provider, deliveryId },
        `The claim on delivery ${deliveryId} lapsed while its handlers were still running: it was not renewed within ` +
          `the store's leaseMs (${this.store.leaseMs} ms), because the event loop or the store stalled that long. ` +
          'Another receiver may be handling the same delivery now. If such stalls are expected, raise leaseMs.',
      ),
    );
    this.#journal = options.journal;
    this.#context = {
      store: this.store,
      leases,
      queue: options.queue,
      deadLetters: options.deadLetters,
      dispatcher: this.#dispatcher,
      handlerTimeoutMs: positiveMs(options.handlerTimeoutMs ?? 30_000, 'handlerTimeoutMs'),
      storeTimeoutMs: positiveMs(options.storeTimeoutMs ?? 2_000, 'storeTimeoutMs'),
      telemetry: this.#telemetry,
      running: this.#running,
      report: (error) => this.#report(error),
    };
    this.#detachJournal = this.#journal?.attach?.(this);
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
   * Calls `handler` when handlers fail (a `HandlerError` carrying every error, or a
   * `HandlerTimeoutError`) or the store fails. Errors thrown by `handler` itself are ignored.
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
   * Verifies, parses and dispatches one delivery, and returns how to answer it. Never
   * throws: forged, malformed, oversized, duplicate, a parsed object instead of raw bytes,
   * a failing handler, all become an outcome (logged once).
   */
  receive(delivery: Delivery): Promise<ReceiveOutcome> {
    const receiving = this.#receive(delivery);
    // close() waits until what was received is noted in the journal; the answer does not.
    const noted = receiving.then(([, note]) => note, () => undefined);
    this.#receiving.add(noted);
    void noted.finally(() => this.#receiving.delete(noted));
    return receiving.then(([outcome]) => outcome);
  }

  /** The outcome, and the note of its attempts in the journal: the note cannot change the answer (a failure is reported), so the answer does not wait for it. */
  async #receive(delivery: Delivery): Promise<[ReceiveOutcome, Promise<void> | undefined]> {
    const started = performance.now();
    const trace = this.#telemetry.startDelivery();
    let provider: WebhookProvider | undefined;
    let outcome: ReceiveOutcome;
    let delivered: readonly DeliveredEvent[] = [];
    let noted: Promise<void> | undefined;
    try {
      const body = toBytes(delivery.body);
      const header = createHeaderReader(delivery.headers ?? {});
      provider = this.#recognize(header);
      if (this.#closed) throw new ReceiverClosedError(provider.name);
      if (body.byteLength > this.maxBodyBytes) throw new PayloadTooLargeError(this.maxBodyBytes, body.byteLength);
      const request: DeliveryRequest = { header, body, method: delivery.method, url: delivery.url, receivedAt: Date.now(), tenant: delivery.tenant };
      await provider.verify(request);
      trace.step('crmhooks.verified');
      const events = bindTenant(provider.parse(parseJsonBody(body, provider.name), request), request.tenant, provider.name);
      // An event no store can key is parked instead: signed, it would be the same on every retry.
      const storable = events.filter(isStorableEvent);
      if (this.#journal && storable.length > 0) await keep(this.#journal, arrivedDelivery(provider, request, storable), this.#context);
      const name = provider.name;
      const handle = (event: ProviderEvent) => (storable.includes(event) ? deliverEvent(event, name, this.#context) : parkUnprocessable(event, name, this.#context));
      delivered = await Promise.all(events.map((event) => trace.event(event, name, () => handle(event))));
      outcome = outcomeOf(provider, delivered);
    } catch (error) {
      outcome = failureOutcome(error instanceof WebhookError ? error : new InternalError(error, provider?.name), provider);
    }
    if (this.#journal && delivered.length > 0) {
      const how = { status: outcome.status, durationMs: performance.now() - started, replay: false, queued: this.#context.queue !== undefined };
      noted = note(this.#journal, attemptsOf(delivered, how), this.#context);
    }
    if (outcome.error && !this.#reported.has(outcome.error)) this.#log(outcome, started);
    trace.end(outcome);
    return [outcome, noted];
  }

  /**
   * Runs a stored delivery again (`@crmhooks/journal` calls this): verifies its signature with
   * today's secrets and keys (signed times are checked against when it first arrived), then runs
   * the handlers of its events, or of those named in `deliveryIds`, with `context.replay` true;
   * with a `queue`, hands them to it instead. Each event's id is claimed in the store as a
   * replay: handled before or not, it runs, unless it is being handled right now (a CRM's copy,
   * another replay): then its result is `in_progress` and nothing ran. Every attempt is noted
   * in the journal. A delivery that no longer verifies has `error` and no events; throws a
   * `ConfigurationError` only for a provider this receiver is not configured with.
   */
  replay(delivery: StoredDelivery, options: { readonly deliveryIds?: readonly string[] } = {}): Promise<ReplayOutcome> {
    return replayStored(this.providers, delivery, options.deliveryIds, { context: this.#context, journal: this.#journal, reportOnce: (error) => this.#reportOnce(error) });
  }

  /**
   * The events of a stored delivery, as handlers would get them, without running anything: each
   * native event and, for link changes, its normalized association event (what a journal's page
   * shows). Verified like `replay`; a delivery that no longer verifies has `error`.
   */
  eventsOf(delivery: StoredDelivery): Promise<{ readonly events: readonly StoredEvent[]; readonly error?: WebhookError }> {
    return storedEvents(this.providers, delivery);
  }

  /**
   * Runs the handlers of an event a queue stored (see `queue`), as the receiver would have:
   * resolves once they all succeeded; rejects with the `HandlerError` or `HandlerTimeoutError`
   * otherwise (logged and reported like a receiver's), so the queue retries the job. A
   * permanent failure is parked in `deadLetters` first and rejects with the `EventParkedError`
   * (`retryable: false`: the queue must not retry it). `signal` (a worker shutting down)
   * aborts the handlers' own signal too.
   */
  async handle(event: QueuedEvent, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    const started = performance.now();
    const reference: EventReference = { name: event.name, provider: event.provider, deliveryId: event.deliveryId, tenant: event.tenant };
    const stored = fromQueuedEvent(event);
    const replay = event.replay === true;
    let error = await runHandlers(stored, reference, this.#context, options.signal, replay, 'job');
    if (error instanceof EventParkedError) error = await park(stored, event.provider, error, this.#context, 'job');
    if (this.#journal) {
      const result = resultOf(error);
      const how = { status: undefined, durationMs: performance.now() - started, replay, queued: false };
      await note(this.#journal, attemptsOf([{ outcome: { ...reference, result }, error }], how), this.#context);
    }
    if (error === undefined) return;
    this.#report(error);
    throw error;
  }

  refuse(error: WebhookError, headers: IncomingHeaders): ReceiveOutcome {
    const header = createHeaderReader(headers);
    const outcome = failureOutcome(error, this.providers.find((provider) => provider.recognizes(header)));
    this.#log(outcome);
    this.#telemetry.startDelivery().end(outcome);
    return outcome;
  }

  /**
   * Stops taking deliveries (they are answered so that the CRM retries them later), gives
   * running handlers `graceMs` to finish, then aborts their `signal`, and resolves once
   * they have all settled and their attempts are noted in the journal. Call it when the server
   * shuts down. Default grace: 10 s.
   */
  async close(options: { readonly graceMs?: number } = {}): Promise<void> {
    this.#closed = true;
    this.#detachJournal?.();
    const settled = () => Promise.allSettled([...this.#running.values(), ...this.#receiving]);
    if (this.#running.size === 0 && this.#receiving.size === 0) return;
    const graceMs = options.graceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const reason = new ReceiverClosedError();
    for (const control of this.#running.keys()) control.abort(reason);
    await settled();
  }

  #recognize(header: HeaderReader): WebhookProvider {
    for (const provider of this.providers) if (provider.recognizes(header)) return provider;
    const expected = this.providers.map((provider) => `${provider.signatureHeaders.join(' or ')} (${provider.displayName})`).join(', ');
    throw new MissingSignatureError(
      `The request carries no CRM webhook signature. Expected ${expected}. ` +
        'Deliveries are only accepted from the providers this receiver is configured with.',
    );
  }

  /**
   * Logs a delivery that was not answered 2xx, unless its error was reported where it happened:
   * failures (5xx) at error, always; rejections at warn, a few a minute per provider and code.
   */
  #log(outcome: ReceiveOutcome, started?: number): void {
    const error = outcome.error!;
    const event = outcome.events.find((one) => one.result !== 'handled' && one.result !== 'duplicate') ?? outcome.events[0];
    const fields = {
      code: error.code,
      status: outcome.status,
      provider: outcome.provider,
      event: event?.name,
      deliveryId: event?.deliveryId,
      tenant: event?.tenant ?? tenantOf(error),
      ...(started !== undefined && { durationMs: performance.now() - started }),
    };
    if (error.status >= 500) this.logger.error(fields, error.message);
    else this.#rejections.warn(fields, error.message);
  }

  /** Reports a failure unless it was reported where it happened (a failed claim is not). */
  #reportOnce(error: WebhookError): void {
    if (!this.#reported.has(error)) this.#report(error);
  }

  /** Reports a handler or store failure where it happened: to the log, once, and to `onError` handlers. */
  #report(error: WebhookError): void {
    this.#reported.add(error);
    const event = 'event' in error ? (error.event as EventReference) : undefined;
    this.logger.error({ code: error.code, provider: error.provider, event: event?.name, deliveryId: event?.deliveryId, tenant: event?.tenant, err: error.cause }, error.message);
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
export function createWebhooks<const P extends readonly WebhookProvider[]>(options: CrmWebhooksOptions<P>): CrmWebhooks<EventMapFor<P>> {
  return new CrmWebhooks<EventMapFor<P>>(options);
}

/**
 * The delivery's answer: the first failure, else "in progress" if a copy is still running,
 * else 200 with the parked event's error if one was parked, else success.
 */
function outcomeOf(provider: WebhookProvider, delivered: readonly DeliveredEvent[]): ReceiveOutcome {
  const events = delivered.map((event) => event.outcome);
  const first = (result: EventResult) => delivered.find((event) => event.outcome.result === result);
  const failed = first('failed') ?? first('in_progress') ?? first('parked');
  return failed ? failureOutcome(failed.error!, provider, events) : successOutcome(provider, events);
}

/** The tenant an error names (an unknown tenant, a failed secret lookup), for the log. */
function tenantOf(error: WebhookError): string | undefined {
  return 'tenant' in error && typeof error.tenant === 'string' ? error.tenant : undefined;
}

function toArray<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}
