import type { WebhookError } from '../errors/webhook-error.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { LoggerOption } from '../observe/logger.js';
import type { WebhookProvider } from '../providers/provider.js';
import type { IncomingHeaders } from '../providers/shared/headers.js';
import type { RawBody } from './body.js';
import type { DeadLetterSink } from './dead-letters.js';
import type { DeliveryJournal } from './journal.js';
import type { ReceiveOutcome } from './outcome.js';
import type { EventQueue } from './queued-event.js';

/** Default body size limit: 1 MiB, far above any single CRM event. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link createWebhooks}. Every option but `providers` has a safe default. */
export interface CrmWebhooksOptions<P extends readonly WebhookProvider[] = readonly WebhookProvider[]> {
  /** The CRMs this receiver accepts; each delivery's provider is recognised from its headers. */
  readonly providers: P;
  /**
   * Remembers handled delivery ids so each is dispatched once; its claims are leases the
   * receiver renews while handlers run. Default: a `MemoryIdempotencyStore` (this process only, bounded).
   */
  readonly store?: IdempotencyStore;
  /** Largest body accepted, in bytes; larger ones are answered 413. Default: 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * How long an event's handlers may run. Then their `signal` aborts, and the delivery is
   * answered so the CRM retries it, with its id released. Default: 30 s.
   */
  readonly handlerTimeoutMs?: number;
  /** How long one store (or queue) call may take; a claim that takes longer answers the delivery 503 (retry). Default: 2 s. */
  readonly storeTimeoutMs?: number;
  /**
   * Hand verified events to this durable queue instead of running handlers in the request
   * (`@crmhooks/bullmq`): a delivery is answered 2xx once its events are stored, and workers
   * run the handlers with `handle()`. Default: none, handlers run in the request.
   */
  readonly queue?: EventQueue;
  /**
   * Where events whose handlers failed permanently (a `PermanentError`) are parked, to be
   * fixed and replayed; such deliveries are answered 200 so the CRM stops retrying.
   * Default: none, the error logged for each is its only record.
   */
  readonly deadLetters?: DeadLetterSink;
  /**
   * Keeps every verified delivery, before it is acknowledged, and how each attempt at its
   * events ended (`@crmhooks/journal`), so deliveries can be found and replayed
   * (`webhooks.replay`). Default: none.
   */
  readonly journal?: DeliveryJournal;
  /**
   * Where rejected (warn) and failed (error) deliveries are logged, each once: `console`
   * (the default), a pino or Fastify logger, or `false` for silence. Rejections of one
   * provider and code are logged five a minute, then counted; failures always.
   */
  readonly logger?: LoggerOption;
}

/** One incoming request, as `receive` takes it. */
export interface Delivery {
  /** Request headers: Node's `req.headers`, a Web `Headers`, or a plain object (any case). */
  readonly headers: IncomingHeaders;
  /** The raw body: the exact bytes (Buffer/Uint8Array/ArrayBuffer) or the exact string. Never a parsed object. */
  readonly body: RawBody;
  /** HTTP method; used by providers that sign it. */
  readonly method?: string | undefined;
  /**
   * Full public URL the CRM called; used by providers that sign it (HubSpot). Several when the
   * request names its URL in more than one way (the Web handler passes `request.url` and, when its
   * Host header names another host, that URL too): a signature over any one of them is accepted.
   */
  readonly url?: string | readonly string[] | undefined;
  /**
   * The tenant named by the path the delivery was sent to (`/webhooks/superoffice/:tenant`;
   * adapters pass the route's `tenant` parameter). Its events must belong to that tenant, and a
   * provider with a secret per tenant verifies with that tenant's secret. Default: none, the
   * tenant is the one the signed body names.
   */
  readonly tenant?: string | undefined;
}

export type { ReplayOutcome, StoredDelivery } from './stored-delivery.js';


/**
 * The part of a receiver that HTTP layers need; independent of its event map,
 * so an adapter accepts any receiver.
 */
export interface DeliveryReceiver {
  /** Largest accepted body in bytes. */
  readonly maxBodyBytes: number;
  /** The configured providers. */
  readonly providers: readonly WebhookProvider[];
  /** Verifies, parses and dispatches one delivery; see {@link CrmWebhooks.receive}. */
  receive(delivery: Delivery): Promise<ReceiveOutcome>;
  /**
   * The answer to a request an HTTP layer turned away before `receive` (wrong method, too
   * large, body unreadable): logged like any rejection, and shaped for the provider its
   * headers name.
   */
  refuse(error: WebhookError, headers: IncomingHeaders): ReceiveOutcome;
}

/** Handler of failures: handler errors, and store errors that did not change the answer. */
export type ErrorHandler = (error: WebhookError) => unknown;
