/**
 * Deliveries being handled right now, each with the time its lease ends. A claim
 * leaves within the request that made it (completed or released), so this stays
 * as small as the number of deliveries in flight.
 *
 * The newest claim waits in a single slot, not in the map: with synchronous
 * handlers the same request ends it before any other claim can arrive, so it
 * never costs a map entry. Any later claim first moves it into the map, where
 * every request sees it.
 */
export class ClaimLeases {
  readonly #leases = new Map<string, Map<string, number>>();
  #newestProvider: string | undefined;
  #newestId: string | undefined;
  #newestLeaseEnds = 0;

  /** Number of claims held (lapsed ones included until they are ended or taken over). */
  get size(): number {
    let size = this.#newestId === undefined ? 0 : 1;
    for (const leases of this.#leases.values()) size += leases.size;
    return size;
  }

  /**
   * Claims the delivery until `leaseEnds`, unless a claim of it is still running
   * at `now`; a lapsed claim (a hung handler) is taken over. Whether it was claimed.
   */
  tryClaim(provider: string, deliveryId: string, now: number, leaseEnds: number): boolean {
    if (this.#isNewest(provider, deliveryId)) {
      if (this.#newestLeaseEnds > now) return false;
      this.#newestLeaseEnds = leaseEnds;
      return true;
    }
    const leases = this.#leases.get(provider);
    const held = leases?.get(deliveryId);
    if (held !== undefined) {
      if (held > now) return false;
      leases!.delete(deliveryId);
    }
    this.#settleNewest();
    this.#newestProvider = provider;
    this.#newestId = deliveryId;
    this.#newestLeaseEnds = leaseEnds;
    return true;
  }

  /** Ends the delivery's claim. Whether it had one. */
  end(provider: string, deliveryId: string): boolean {
    if (this.#isNewest(provider, deliveryId)) {
      this.#newestProvider = undefined;
      this.#newestId = undefined;
      return true;
    }
    return this.#leases.get(provider)?.delete(deliveryId) === true;
  }

  clear(): void {
    this.#leases.clear();
    this.#newestProvider = undefined;
    this.#newestId = undefined;
  }

  #isNewest(provider: string, deliveryId: string): boolean {
    return this.#newestId === deliveryId && this.#newestProvider === provider;
  }

  /** Moves the newest claim, still running, into the map. */
  #settleNewest(): void {
    if (this.#newestId === undefined) return;
    const provider = this.#newestProvider!;
    let leases = this.#leases.get(provider);
    if (leases === undefined) this.#leases.set(provider, (leases = new Map()));
    leases.set(this.#newestId, this.#newestLeaseEnds);
    this.#newestProvider = undefined;
    this.#newestId = undefined;
  }
}
