import type { IdempotencyStore } from '../idempotency/store.js';
import type { EventOutcome, EventResult } from './outcome.js';

/**
 * A verified delivery as it arrived: what a journal keeps so the delivery can be found,
 * verified again with the secrets of the day, and replayed (`webhooks.replay`).
 */
export interface ArrivedDelivery {
  readonly provider: string;
  /**
   * The tenant it was verified for: the one the path named, else the one its events name (when
   * they all name one). A replay verifies it for the same tenant.
   */
  readonly tenant?: string | undefined;
  /** When it arrived, ms since the epoch. */
  readonly receivedAt: number;
  readonly method: string | undefined;
  /** The URL it was sent to, for providers that sign it (the first, when the request named several). */
  readonly url: string | undefined;
  /** `content-type` and the headers the provider's verification reads (lower-case names); no others. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes that were verified. */
  readonly body: Uint8Array;
  /** Its events, in body order. */
  readonly events: readonly {
    readonly name: string;
    readonly deliveryId: string;
    /** The customer it belongs to, when the signed bytes name one. */
    readonly tenant?: string | undefined;
    /** When the CRM signed it, ms since the epoch, when the signed bytes say. */
    readonly signedAt: number | undefined;
    /** The records it links or unlinks (both ends of an association event), to find it by record. */
    readonly recordIds: readonly string[];
  }[];
}

/** How one try at one event ended: a CRM's delivery or retry, a queue worker's run, or a replay. */
export interface DeliveryAttempt {
  readonly provider: string;
  readonly deliveryId: string;
  readonly name: string;
  /** The customer the event belongs to, when its signed bytes name one. */
  readonly tenant?: string | undefined;
  /** `queued`: stored in the queue (`queue`), for a worker to run; the others as in `EventOutcome`. */
  readonly result: EventResult | 'queued';
  /** The HTTP status the delivery was answered with; undefined for a worker's run or a replay. */
  readonly status: number | undefined;
  readonly error: { readonly code: string; readonly message: string } | undefined;
  readonly durationMs: number;
  /** True for `webhooks.replay`, false for what a CRM sent. */
  readonly replay: boolean;
}

/**
 * Keeps every verified delivery and each attempt at its events (`@crmhooks/journal`):
 * `createWebhooks({ journal })`. Forged and malformed requests never reach it.
 */
export interface DeliveryJournal {
  /**
   * Keeps a delivery before any of its events is claimed. The delivery is acknowledged only
   * after this resolves; if it rejects (or takes longer than `storeTimeoutMs`), the delivery is
   * answered so that the CRM retries it.
   */
  record(delivery: ArrivedDelivery): void | Promise<void>;
  /**
   * Notes how attempts ended. A failure here is reported; it cannot change the answer, so a
   * receiver answers without waiting for it (`close()` waits for it).
   */
  attempted(attempts: readonly DeliveryAttempt[]): void | Promise<void>;
  /**
   * Optional: called once by each receiver created with this journal, so the journal can run
   * what a crashed process left half-done through it (`@crmhooks/journal` recovers events whose
   * claim lapsed with no outcome). Returns what the receiver calls when it closes.
   */
  attach?(receiver: JournalReceiver): (() => void) | undefined;
}

/** What a journal may use of a receiver attached to it: its store, and replays of stored deliveries. */
export interface JournalReceiver {
  readonly store: IdempotencyStore;
  replay(
    delivery: Omit<ArrivedDelivery, 'events'>,
    options: { readonly deliveryIds?: readonly string[] },
  ): Promise<{ readonly events: readonly EventOutcome[]; readonly error?: { readonly code: string; readonly message: string } }>;
}
