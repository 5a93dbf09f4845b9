/**
 * Result of claiming a delivery id:
 * - `claimed`: nobody has handled it; the caller must now handle it, then `complete` or `release` it.
 * - `in_progress`: another request is handling it right now.
 * - `completed`: it was handled successfully already.
 */
export type ClaimResult = 'claimed' | 'in_progress' | 'completed';

/** How a claimed delivery ended well. */
export interface CompleteOptions {
  /**
   * It was handed to a queue (`createWebhooks({ queue })`), not handled yet: done as far as
   * claims go (copies are duplicates), and a store that shows states (the journal's) shows it
   * queued until a worker has run it.
   */
  readonly queued?: boolean;
}

/** How a delivery id is claimed. */
export interface ClaimOptions {
  /**
   * A replay (`webhooks.replay`) runs an event again on purpose: an id already handled is
   * claimed too, and forgotten if the replay fails. Only an id being handled right now is
   * `in_progress`, so a replay never runs beside a CRM's copy or another replay.
   */
  readonly replay?: boolean;
}

/**
 * How long a claim holds unless renewed: 3 s. The receiver renews it every second while the
 * work runs, so a live receiver keeps it however long its handlers take, and the claim of a
 * receiver that died lapses within 3 s: in time for SuperOffice's last retry, 4 s after the first.
 */
export const DEFAULT_LEASE_MS = 3_000;

/**
 * Remembers which deliveries were handled, so each is dispatched once.
 * A delivery is named by its provider (`superoffice`) and its delivery id, which is
 * unique within that provider only. Methods may return promises, so a shared store
 * (Redis, a database) can back it; `claim` must be atomic across every receiver sharing the store.
 *
 * A claim is a lease, as a BullMQ job lock is: it lapses `leaseMs` after it was taken or last
 * renewed, and the receiver renews it every `leaseMs / 3` while the delivery's work runs. So
 * whatever kills a receiver (a crash, a lost reply), a retry can claim the delivery once
 * `leaseMs` has passed. The receiver bounds every call with its `storeTimeoutMs`.
 */
export interface IdempotencyStore {
  /** How long a claim holds unless renewed, in ms. */
  readonly leaseMs: number;
  /**
   * Atomically marks the delivery as being handled, unless it is handled or being handled
   * already (with `replay`: unless it is being handled). A store that ignores `replay` answers
   * `completed` to a replay of a handled event, which then runs nothing.
   */
  claim(provider: string, deliveryId: string, options?: ClaimOptions): ClaimResult | Promise<ClaimResult>;
  /**
   * Extends this store's own claim by `leaseMs`. False when the claim is no longer its own
   * (the lease lapsed, and another receiver may have claimed the delivery since).
   */
  renew(provider: string, deliveryId: string): boolean | Promise<boolean>;
  /** Marks a claimed delivery as handled (or queued); later claims answer `completed` until it expires. */
  complete(provider: string, deliveryId: string, options?: CompleteOptions): void | Promise<void>;
  /** Forgets a claimed delivery whose handling failed, so the provider's retry is handled again. */
  release(provider: string, deliveryId: string): void | Promise<void>;
  /**
   * Optional: the receiver registers here to log what weakens the store's guarantee
   * (ids forgotten before their time, a server that does not persist). Each message names the fix.
   */
  onWarning?(listener: (message: string) => void): void;
}
