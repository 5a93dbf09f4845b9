import { describeThrown, type JournalReceiver, type Logger, type StoredDelivery } from '@crmhooks/core';
import type { Database } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';

/** How a journal recovers orphaned events: `createJournal({ recovery })`. */
export interface RecoveryOptions {
  /** How often a receiver looks for events whose claim lapsed with no outcome. Default: 2 s. */
  readonly everyMs?: number;
  /** Recoveries of one event before it is left `failed` (findable, replayable). Default: 5. */
  readonly maxRecoveries?: number;
}

/** What recovery needs of the journal. */
export interface RecoverySource {
  readonly database: () => Promise<Database>;
  readonly tables: JournalTables;
  storedDelivery(row: { readonly delivery: string | null; readonly received_at: Date }): Promise<StoredDelivery | undefined>;
  /** Writes this process's own outcomes that are waiting for the database, first. */
  flushUnwritten(): Promise<void>;
  /** Whether this process holds the event's outcome, not written yet. */
  holdsOutcome(provider: string, deliveryId: string): boolean;
}

interface Orphan {
  readonly provider: string;
  readonly delivery_id: string;
  readonly delivery: string | null;
  /** The day it is filed under. */
  readonly received_at: Date;
  /** The lapsed lease in microseconds since the epoch (as text): compared exactly, where a Date would lose the microseconds. */
  readonly lease_us: string;
}

/**
 * Runs events whose claim lapsed with no outcome (their receiver died mid-handler, or before it
 * could note how they ended) through a live receiver, as BullMQ recovers stalled jobs: an event
 * seen orphaned in one look, and still orphaned with the same lapsed claim in the next, is
 * replayed. The replay claims it as a delivery does, so two receivers never both run it and a
 * CRM copy meanwhile is "in progress". A process's own outcomes waiting for the database are
 * written before it looks, and two looks apart give every other process the time to write its.
 * After `maxRecoveries` the event is left `failed`.
 */
export class OrphanRecovery {
  /** Events orphaned at the last look, with the lapsed lease they had. */
  #suspects = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #looking: Promise<number> | undefined;
  /** Set by stop(): a look still under way runs nothing more (its receiver is closing). */
  #stopped = false;
  /** Whether the last look failed: a database outage is logged once, not every look. */
  #failing = false;
  readonly #find: string;
  readonly #count: string;
  readonly #giveUp: string;

  constructor(
    private readonly source: RecoverySource,
    private readonly receiver: JournalReceiver,
    private readonly logger: Logger,
    private readonly options: Required<RecoveryOptions>,
  ) {
    const t = source.tables;
    const leaseUs = `(extract(epoch FROM lease_until) * 1000000)::bigint`;
    this.#find = `SELECT provider, delivery_id, delivery, received_at, ${leaseUs}::text AS lease_us FROM ${t.events}
      WHERE state = 'running' AND lease_until < clock_timestamp() ORDER BY lease_until LIMIT 100`;
    // Counted only while it is still the orphan seen: another receiver that took it first changed its lease.
    this.#count = `UPDATE ${t.events} SET recoveries = recoveries + 1
      WHERE provider = $1 AND delivery_id = $2 AND received_at = $4 AND state = 'running' AND ${leaseUs} = $3::bigint RETURNING recoveries`;
    this.#giveUp = `UPDATE ${t.events} SET state = 'failed', lease_until = NULL, last_code = 'recovery_failed', last_message = $3, updated_at = now()
      WHERE provider = $1 AND delivery_id = $2 AND received_at = $4 AND state = 'running'`;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => {
      this.recover().then(
        () => void (this.#failing = false),
        (error: unknown) => {
          if (!this.#failing) {
            this.logger.warn(
              { code: 'journal_recovery_failed' },
              `The journal could not look for orphaned events (${describeThrown(error)}); it keeps looking every ${this.options.everyMs} ms ` +
                '(this is logged once until a look succeeds). Check that the database is reachable.',
            );
          }
          this.#failing = true;
        },
      );
    }, this.options.everyMs).unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look: replays the events orphaned now and at the look before. Resolves with how many ran. One look at a time. */
  recover(): Promise<number> {
    this.#looking ??= this.#look().finally(() => (this.#looking = undefined));
    return this.#looking;
  }

  async #look(): Promise<number> {
    await this.source.flushUnwritten();
    const database = await this.source.database();
    const { rows } = await database.query<Orphan>(this.#find);
    const seen = new Map<string, string>();
    let recovered = 0;
    for (const orphan of rows) {
      if (this.source.holdsOutcome(orphan.provider, orphan.delivery_id)) continue;
      const key = `${orphan.provider}\n${orphan.delivery_id}`;
      const lease = orphan.lease_us;
      seen.set(key, lease);
      if (this.#suspects.get(key) !== lease) continue; // first seen now: its receiver may yet note it
      if (this.#stopped) break;
      if (await this.#run(database, orphan)) recovered += 1;
    }
    this.#suspects = seen;
    return recovered;
  }

  /** Replays one orphan; false when another receiver took it first. */
  async #run(database: Database, orphan: Orphan): Promise<boolean> {
    const { provider, delivery_id: deliveryId } = orphan;
    const counted = await database.query<{ recoveries: number }>(this.#count, [provider, deliveryId, orphan.lease_us, orphan.received_at]);
    const recoveries = counted.rows[0]?.recoveries;
    if (recoveries === undefined) return false;
    if (recoveries > this.options.maxRecoveries) {
      return this.#abandon(database, orphan, `Recovered ${this.options.maxRecoveries} times without an outcome: its receiver dies or stalls on it each time. Fix the cause, then replay it.`);
    }
    const stored = await this.source.storedDelivery(orphan);
    if (stored === undefined) return this.#abandon(database, orphan, 'Its claim lapsed with no outcome, and its body was not kept (keepBodies: false, or pruned), so it cannot be run again.');
    this.logger.warn(
      { code: 'journal_event_recovered', provider, deliveryId },
      `Delivery ${deliveryId} was claimed but its claim lapsed with no outcome (the receiver stopped mid-handler): running it again (recovery ${recoveries} of at most ${this.options.maxRecoveries}).`,
    );
    const outcome = await this.receiver.replay(stored, { deliveryIds: [deliveryId] });
    return outcome.events.some((event) => event.result !== 'in_progress');
  }

  async #abandon(database: Database, orphan: Orphan, reason: string): Promise<boolean> {
    await database.query(this.#giveUp, [orphan.provider, orphan.delivery_id, reason, orphan.received_at]);
    this.logger.error({ code: 'recovery_failed', provider: orphan.provider, deliveryId: orphan.delivery_id }, `Delivery ${orphan.delivery_id} was left failed: ${reason}`);
    return false;
  }
}
