import { DEFAULT_LEASE_MS, type ClaimOptions, type ClaimResult, type CompleteOptions, type IdempotencyStore } from '@crmhooks/core';
import type { Database } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';

/**
 * The idempotency store on the journal's tables (one claims row keeps each event id once; the
 * event's row holds its state and lease): a claim is a lease (`leaseMs`, renewed
 * by the receiver while handlers run), so several receivers need only Postgres, and a dead
 * receiver's claim lapses within seconds. Handled ids are kept as long as the journal keeps
 * the event (its retention, 30 days by default: far past every CRM's replay window).
 * Lease times are the database server's clock, so receivers' clocks may disagree.
 *
 * With the journal attached to the same receiver, a delivery's first arrival costs two round
 * trips, not four: recording it inserts its events already claimed (so `claim` needs no query),
 * and noting its attempt sets their final state (so `complete` and `release` need none).
 */
export class JournalStore implements IdempotencyStore {
  readonly leaseMs: number;
  readonly #database: () => Promise<Database>;
  /** Events this process's journal inserted claimed, until the receiver claims them (once: a copy must not claim too). */
  readonly #claimedByRecord = new Map<string, number>();
  /** Claims taken that way, until the receiver settles them: the attempt it notes then sets their state. */
  readonly #settledByAttempt = new Set<string>();
  readonly #claim: string;
  readonly #change: string;

  constructor(database: () => Promise<Database>, t: JournalTables, leaseMs = DEFAULT_LEASE_MS) {
    this.leaseMs = leaseMs;
    this.#database = database;
    // See keyed.ts: the claim answers 'claimed' or the state that refused it.
    this.#claim = `SELECT ${t.claim}($1, $2, $3, $4) AS result`;
    this.#change = `SELECT ${t.change}($1, $2, $3, $4) AS changed`;
  }

  /**
   * Called by the journal: these events were inserted claimed by a write sent at `sentAt`. Their
   * leases began in Postgres after that, so counting from it, this process never holds a claim
   * longer than Postgres does, however late the answer came (by then another receiver may have
   * claimed a lapsed lease).
   */
  claimedByRecord(provider: string, deliveryIds: readonly string[], sentAt: number): void {
    const now = Date.now();
    const until = sentAt + this.leaseMs;
    if (until <= now) return;
    if (this.#claimedByRecord.size > 10_000) {
      // Not the store of the receiver that records (another store settles its events): forget lapsed ones.
      for (const [key, lapses] of this.#claimedByRecord) if (lapses <= now) this.#claimedByRecord.delete(key);
    }
    for (const id of deliveryIds) this.#claimedByRecord.set(`${provider}\n${id}`, until);
  }

  async claim(provider: string, deliveryId: string, options?: ClaimOptions): Promise<ClaimResult> {
    const replay = options?.replay === true;
    if (!replay) {
      const key = `${provider}\n${deliveryId}`;
      const until = this.#claimedByRecord.get(key);
      if (until !== undefined) {
        this.#claimedByRecord.delete(key);
        if (until > Date.now()) {
          this.#settledByAttempt.add(key);
          return 'claimed';
        }
      }
    }
    const [row] = (await (await this.#database()).query<{ result: string }>(this.#claim, [provider, deliveryId, this.leaseMs, replay])).rows;
    if (row?.result === 'claimed') return 'claimed';
    return row?.result === 'running' || replay ? 'in_progress' : 'completed';
  }

  async renew(provider: string, deliveryId: string): Promise<boolean> {
    return this.#changed(provider, deliveryId, 'renew');
  }

  async complete(provider: string, deliveryId: string, options?: CompleteOptions): Promise<void> {
    // Claimed by the journal's record: the attempt the receiver notes next sets the state.
    if (this.#settledByAttempt.delete(`${provider}\n${deliveryId}`)) return;
    await this.#changed(provider, deliveryId, options?.queued === true ? 'handed' : 'handled');
  }

  async release(provider: string, deliveryId: string): Promise<void> {
    if (this.#settledByAttempt.delete(`${provider}\n${deliveryId}`)) return;
    await this.#changed(provider, deliveryId, 'released');
  }

  async #changed(provider: string, deliveryId: string, change: 'renew' | 'handled' | 'handed' | 'released'): Promise<boolean> {
    const [row] = (await (await this.#database()).query<{ changed: boolean }>(this.#change, [provider, deliveryId, change, this.leaseMs])).rows;
    return row?.changed === true;
  }
}
