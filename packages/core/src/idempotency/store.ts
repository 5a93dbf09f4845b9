/**
 * Result of claiming a delivery id:
 * - `claimed`: nobody has handled it; the caller must now handle it, then `complete` or `release` it.
 * - `in_progress`: another request is handling it right now.
 * - `completed`: it was handled successfully already.
 */
export type ClaimResult = 'claimed' | 'in_progress' | 'completed';

/**
 * Remembers which deliveries were handled, so each is dispatched once.
 * A delivery is named by its provider (`superoffice`) and its delivery id, which is
 * unique within that provider only. Methods may return promises, so a shared store
 * (Redis, a database) can back it; `claim` must be atomic across every receiver sharing the store.
 * The receiver bounds every call with its `storeTimeoutMs`.
 */
export interface IdempotencyStore {
  /** Atomically marks the delivery as being handled, unless it is handled or being handled already. */
  claim(provider: string, deliveryId: string): ClaimResult | Promise<ClaimResult>;
  /** Marks a claimed delivery as handled; later claims answer `completed` until it expires. */
  complete(provider: string, deliveryId: string): void | Promise<void>;
  /** Forgets a claimed delivery whose handling failed, so the provider's retry is handled again. */
  release(provider: string, deliveryId: string): void | Promise<void>;
  /**
   * Optional: the receiver registers here to log what weakens the store's guarantee
   * (e.g. ids forgotten before their time). Each message names the fix.
   */
  onWarning?(listener: (message: string) => void): void;
}
