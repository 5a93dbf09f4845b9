import { DEFAULT_LEASE_MS, type ClaimOptions, type ClaimResult, type CompleteOptions, type IdempotencyStore } from '@crmhooks/core';
import type { Database } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';

/**
 * The idempotency store on the journal's events table: a claim is a lease (`leaseMs`, renewed
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
  readonly #replayClaim: string;
  readonly #stateOf: string;
  readonly #renew: string;
  readonly #complete: string;
  readonly #release: string;

  constructor(database: () => Promise<Database>, t: JournalTables, leaseMs = DEFAULT_LEASE_MS) {
    this.leaseMs = leaseMs;
    this.#database = database;
    const until = `clock_timestamp() + $3 * interval '1 millisecond'`;
    // Failed events and lapsed leases can be claimed; handled, queued, dead and leased ones cannot.
    this.#claim = `
      INSERT INTO ${t.events} AS e (provider, delivery_id, name, state, lease_until, received_at, updated_at)
      VALUES ($1, $2, '', 'running', ${until}, now(), now())
      ON CONFLICT (provider, delivery_id) DO UPDATE SET state = 'running', lease_until = EXCLUDED.lease_until, updated_at = now()
        WHERE e.state IN ('received', 'failed') OR (e.state = 'running' AND e.lease_until <= clock_timestamp())
      RETURNING 1`;
    // A replay takes any event (handled, failed, dead, queued) but one whose lease is live.
    this.#replayClaim = `
      INSERT INTO ${t.events} AS e (provider, delivery_id, name, state, lease_until, received_at, updated_at)
      VALUES ($1, $2, '', 'running', ${until}, now(), now())
      ON CONFLICT (provider, delivery_id) DO UPDATE SET state = 'running', lease_until = EXCLUDED.lease_until, updated_at = now()
        WHERE e.state <> 'running' OR e.lease_until <= clock_timestamp()
      RETURNING 1`;
    this.#stateOf = `SELECT state FROM ${t.events} WHERE provider = $1 AND delivery_id = $2`;
    this.#renew = `
      UPDATE ${t.events} SET lease_until = ${until}
      WHERE provider = $1 AND delivery_id = $2 AND state = 'running' AND lease_until > clock_timestamp()
      RETURNING 1`;
    // Queued: unless the worker was quicker and its attempt has set the state already.
    this.#complete = `
      UPDATE ${t.events} SET state = CASE WHEN NOT $3 THEN 'handled' WHEN state = 'running' THEN 'queued' ELSE state END,
        lease_until = NULL, updated_at = now()
      WHERE provider = $1 AND delivery_id = $2`;
    this.#release = `UPDATE ${t.events} SET state = 'failed', lease_until = NULL, updated_at = now() WHERE provider = $1 AND delivery_id = $2 AND state = 'running'`;
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
    if (options?.replay) {
      const claimed = await (await this.#database()).query(this.#replayClaim, [provider, deliveryId, this.leaseMs]);
      return claimed.rows.length > 0 ? 'claimed' : 'in_progress';
    }
    const key = `${provider}\n${deliveryId}`;
    const until = this.#claimedByRecord.get(key);
    if (until !== undefined) {
      this.#claimedByRecord.delete(key);
      if (until > Date.now()) {
        this.#settledByAttempt.add(key);
        return 'claimed';
      }
    }
    const db = await this.#database();
    if ((await db.query(this.#claim, [provider, deliveryId, this.leaseMs])).rows.length > 0) return 'claimed';
    const [row] = (await db.query<{ state: string }>(this.#stateOf, [provider, deliveryId])).rows;
    // Gone between the two statements (pruned): claim it afresh.
    if (row === undefined) return this.claim(provider, deliveryId);
    return row.state === 'running' ? 'in_progress' : 'completed';
  }

  async renew(provider: string, deliveryId: string): Promise<boolean> {
    return (await (await this.#database()).query(this.#renew, [provider, deliveryId, this.leaseMs])).rows.length > 0;
  }

  async complete(provider: string, deliveryId: string, options?: CompleteOptions): Promise<void> {
    // Claimed by the journal's record: the attempt the receiver notes next sets the state.
    if (this.#settledByAttempt.delete(`${provider}\n${deliveryId}`)) return;
    await (await this.#database()).query(this.#complete, [provider, deliveryId, options?.queued === true]);
  }

  async release(provider: string, deliveryId: string): Promise<void> {
    if (this.#settledByAttempt.delete(`${provider}\n${deliveryId}`)) return;
    await (await this.#database()).query(this.#release, [provider, deliveryId]);
  }
}
