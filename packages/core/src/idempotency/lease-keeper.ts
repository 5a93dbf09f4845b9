import type { IdempotencyStore } from './store.js';

/** A claim whose delivery is being handled. */
export interface HeldClaim {
  readonly provider: string;
  readonly deliveryId: string;
}

/**
 * Renews the leases of the claims a receiver holds while their work runs (BullMQ renews
 * its job locks the same way), so a live receiver keeps its claims however long handlers
 * take, and a dead receiver's claims lapse within the store's `leaseMs`.
 *
 * One timer for all claims, ticking every `leaseMs / 3` while any is held; it stops when a
 * tick finds none. A delivery handled between two ticks costs a `Set` insert and delete.
 */
export class LeaseKeeper {
  readonly #held = new Set<HeldClaim>();
  readonly #store: IdempotencyStore;
  readonly #onLost: (claim: HeldClaim) => void;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `onLost` is told, once, of a claim found lapsed while its work still ran; it is no longer renewed. */
  constructor(store: IdempotencyStore, onLost: (claim: HeldClaim) => void) {
    this.#store = store;
    this.#onLost = onLost;
  }

  /** Keeps the claim renewed until `letGo`. */
  hold(provider: string, deliveryId: string): HeldClaim {
    const claim = { provider, deliveryId };
    this.#held.add(claim);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.#store.leaseMs / 3);
      // Node and Bun: the timer must not keep the process alive. Other runtimes have no unref.
      (this.#timer as { unref?: () => void }).unref?.();
    }
    return claim;
  }

  /** Stops renewing the claim: call it before completing or releasing it. */
  letGo(claim: HeldClaim): void {
    this.#held.delete(claim);
  }

  #tick(): void {
    if (this.#held.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    for (const claim of this.#held) {
      Promise.resolve()
        .then(() => this.#store.renew(claim.provider, claim.deliveryId))
        .then(
          (renewed) => {
            // A claim let go meanwhile was completed or released: its renewal failing says nothing.
            if (renewed || !this.#held.delete(claim)) return;
            this.#onLost(claim);
          },
          // The store is unreachable: nobody else can claim either; the next tick tries again.
          () => undefined,
        );
    }
  }
}
