import {
  ConfigurationError,
  describeThrown,
  isStorableKey,
  type CrmWebhooks,
  type ArrivedDelivery,
  type DeadLetterSink,
  type DeliveryAttempt,
  type DeliveryJournal,
  type JournalReceiver,
  type EventParkedError,
  type Logger,
  type LoggerOption,
  toLogger,
  type QueuedEvent,
  type StoredDelivery,
} from '@crmhooks/core';
import { randomUUID } from 'node:crypto';
import { ManagedDatabase, type Database } from '@crmhooks/postgres';
import { migrateJournal } from './migrations.js';
import { makePartitionsAhead, withDaysMade } from './partitions.js';
import { deleteRows, prune } from './prune.js';
import { JournalQueries, type EventRow } from './queries.js';
import { replayEvents, type ReplayOptions, type ReplayTarget } from './replay.js';
import { JournalStore } from './store.js';
import { journalTables, type JournalTables } from './tables.js';
import type { JournalFilter, ReplayReport } from './types.js';
import { STUCK_AFTER_MS, WriteBatcher } from './batch.js';
import { OrphanRecovery, type RecoveryOptions } from './recovery.js';
import { NotesOnTheirWay } from './notes.js';
import { UnwrittenAttempts } from './unwritten.js';
import { journalWrites, type JournalWrite } from './writes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a journal makes the days ahead of today (see partitions.ts). */
const MAKE_DAYS_EVERY_MS = 60 * 60 * 1000;
/** How often a journal that wrote folds the changes of its events into the counts (see counts.ts). */
const FOLD_EVERY_MS = 10_000;
/** Look every 2 s; leave an event failed after 5 recoveries. */
const DEFAULT_RECOVERY: Required<RecoveryOptions> = { everyMs: 2_000, maxRecoveries: 5 };

/** Options of {@link createJournal}. Every option has a safe default. */
export interface JournalOptions {
  /**
   * Where the tables live: `postgres(pool)` from `@crmhooks/postgres` (shared by every
   * receiver and worker), or `pglite(db)`. Default: an in-memory PGlite, gone with the process.
   */
  readonly database?: Database;
  /** Schema of the tables; created if missing. Default `public`. */
  readonly schema?: string;
  /** Prefix of the table names. Default `crmhooks_journal_`. */
  readonly tablePrefix?: string;
  /**
   * How long deliveries are kept, in ms. The tables are partitioned by day (UTC): a day's
   * deliveries, events and attempts are dropped whole once the retention has passed for all of
   * them, so a delivery is kept between this and one day more. Default: 30 days. Keep it longer
   * than every replay window (24 h), since the journal as a store forgets handled ids when it prunes them.
   */
  readonly retentionMs?: number;
  /**
   * Keep the body of each delivery (needed to replay it). `false` keeps only what arrived
   * when, and what became of it: bodies hold customers' data. Default: true.
   */
  readonly keepBodies?: boolean;
  /** How often the journal prunes itself, in ms; `false` if a job runs `crmhooks journal prune`. Default: hourly. */
  readonly pruneEveryMs?: number | false;
  /** Claims' lease when the journal is the idempotency store. Default: 3 s, as every store. */
  readonly leaseMs?: number;
  /** Where its own failures (pruning) are logged. Default the console; `false` for silence. */
  readonly logger?: LoggerOption;
  /**
   * Where the journal is a receiver's store, that receiver runs again the events whose claim
   * lapsed with no outcome (their receiver died mid-handler), as BullMQ recovers stalled jobs, so
   * what the journal recorded is handled even when the CRM sends no retry. Default: every 2 s, at
   * most 5 recoveries of an event before it is left `failed`; `false` turns it off.
   */
  readonly recovery?: RecoveryOptions | false;
}

/**
 * Every verified delivery, kept before it is acknowledged, with each attempt at its events:
 * `createWebhooks({ providers, journal, store: journal.store, deadLetters: journal })`.
 * Find deliveries (`list`, `show`, `summary`), replay them (`replay`), keep only what you
 * should (`prune`, automatic).
 */
export class Journal extends JournalQueries implements DeliveryJournal, DeadLetterSink {
  /** The idempotency store on the journal's tables: several receivers then need only Postgres. */
  readonly store: JournalStore;
  readonly retentionMs: number;
  readonly #database: ManagedDatabase;
  /** The database, ready, its writes making a day that is missing (see partitions.ts). */
  readonly #ready: () => Promise<Database>;
  readonly #tables: JournalTables;
  readonly #writes: ReturnType<typeof journalWrites>;
  readonly #batcher: WriteBatcher<JournalWrite, readonly string[] | undefined>;
  readonly #logger: Logger;
  readonly #unwritten: UnwrittenAttempts;
  readonly #notes: NotesOnTheirWay;
  /** The database once the notes handed over so far have settled: for reads and deletes. */
  readonly #afterNotes: () => Promise<Database>;
  readonly #recovery: Required<RecoveryOptions> | false;
  #pruner: NodeJS.Timeout | undefined;
  #dayMaker: NodeJS.Timeout | undefined;
  #folder: NodeJS.Timeout | undefined;
  #folding: Promise<void> | undefined;
  #wroteSinceFold = false;
  #foldFailing = false;

  constructor(options: JournalOptions = {}) {
    const tables = journalTables(options.schema, options.tablePrefix);
    const database = new ManagedDatabase(options.database, async (db) => {
      await migrateJournal(db, tables);
      await makePartitionsAhead(db, tables);
    });
    const days = new WeakMap<Database, Database>();
    const ready = async () => {
      const db = await database.ready();
      let made = days.get(db);
      if (made === undefined) days.set(db, (made = withDaysMade(db, tables)));
      return made;
    };
    // A receiver answers before its attempts are noted (see attempted): what this process reads waits for the notes it was handed.
    const notes = new NotesOnTheirWay();
    const afterNotes = async () => {
      await notes.settled();
      return ready();
    };
    super(afterNotes, tables);
    this.#notes = notes;
    this.#afterNotes = afterNotes;
    this.#database = database;
    this.#ready = ready;
    this.#tables = tables;
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
    this.#logger = toLogger(options.logger);
    this.store = new JournalStore(ready, tables, options.leaseMs);
    this.#writes = journalWrites(tables, options.keepBodies ?? true, this.store.leaseMs);
    this.#batcher = new WriteBatcher(async (writes, retry) => {
      this.#wroteSinceFold = true;
      return this.#writes.write(await ready(), writes, retry);
    });
    this.#unwritten = new UnwrittenAttempts(async (writes) => this.#writes.write(await ready(), writes, true), this.#logger);
    const recovery = options.recovery;
    this.#recovery =
      recovery === false
        ? false
        : { everyMs: recovery?.everyMs ?? DEFAULT_RECOVERY.everyMs, maxRecoveries: recovery?.maxRecoveries ?? DEFAULT_RECOVERY.maxRecoveries };
    const every = options.pruneEveryMs ?? 60 * 60 * 1000;
    if (every !== false) {
      this.#pruner = setInterval(() => {
        this.prune().catch((error: unknown) =>
          this.#logger.warn({ code: 'journal_prune_failed' }, `The journal could not prune deliveries older than its retention (${describeThrown(error)}); it tries again in ${every / 60_000} min.`),
        );
      }, every).unref();
    }
    // Days are made ahead whether or not this process prunes (a job may run `crmhooks journal prune`).
    this.#dayMaker = setInterval(() => {
      void this.#database
        .ready()
        .then((db) => makePartitionsAhead(db, tables))
        .catch((error: unknown) =>
          this.#logger.warn(
            { code: 'journal_partitions_failed' },
            `The journal could not make the partitions of the days ahead (${describeThrown(error)}); it tries again in an hour, and a write that finds its day missing makes it.`,
          ),
        );
    }, MAKE_DAYS_EVERY_MS).unref();
    // Keeps the changes a read must add up small (each read folds too).
    this.#folder = setInterval(() => {
      if (!this.#wroteSinceFold) return;
      this.#wroteSinceFold = false;
      this.#folding = this.#fold();
    }, FOLD_EVERY_MS).unref();
  }

  async #fold(): Promise<void> {
    try {
      await this.counts.fold(await this.#ready());
      this.#foldFailing = false;
    } catch (error) {
      // Said once per outage: nothing is lost meanwhile (reads add up the changes not folded).
      if (!this.#foldFailing) {
        this.#logger.warn({ code: 'journal_counts_fold_failed' }, `The journal could not fold its latest changes into its counts (${describeThrown(error)}); it tries again every ${FOLD_EVERY_MS / 1000} s.`);
      }
      this.#foldFailing = true;
      this.#wroteSinceFold = true;
    }
  }

  /** Creates or migrates the tables, once; every other method waits for it. Await it at start-up to fail fast. */
  async ready(): Promise<void> {
    await this.#database.ready();
  }

  /** Called by the receiver: keeps a verified delivery before it is acknowledged. */
  async record(delivery: ArrivedDelivery): Promise<void> {
    // Counted from when the write is sent, not from before the tables were made (seconds, the first time).
    await this.#ready();
    const sentAt = Date.now();
    const claimed = await this.#batcher.write({ delivery, key: randomUUID() });
    this.store.claimedByRecord(delivery.provider, claimed ?? [], sentAt);
  }

  /**
   * Called by the receiver, a worker or a replay: notes how attempts ended. The receiver answers
   * without waiting for it (its `close()` waits); reads of this journal (`list`, `show`, ...)
   * wait for the notes already handed over, so a read after an answer sees the event's outcome.
   * When the database does not answer, they are kept in memory and written once it does (logged
   * at warn), so a handled event never stays `running` and is never recovered or replayed because of it.
   */
  attempted(attempts: readonly DeliveryAttempt[]): Promise<void> {
    const key = randomUUID();
    const noted = this.#batcher.write({ attempts, key }).then(
      () => undefined,
      (error: unknown) => this.#unwritten.keep(attempts, key, error),
    );
    this.#notes.add(noted);
    return noted;
  }

  /**
   * Called by each receiver created with this journal. Where the journal is its store, the
   * receiver recovers orphaned events (see `recovery`); returns what stops that.
   */
  attach(receiver: JournalReceiver): (() => void) | undefined {
    if (this.#recovery === false || receiver.store !== this.store) return undefined;
    const recovery = this.recoveryFor(receiver);
    recovery.start();
    return () => recovery.stop();
  }

  /**
   * The recovery of orphaned events through `receiver`, not started: `recover()` looks once (an
   * event is run when two looks in a row find it orphaned with the same lapsed claim). For tests
   * and jobs; receivers whose store is this journal run one by themselves.
   */
  recoveryFor(receiver: JournalReceiver): OrphanRecovery {
    const source = {
      database: () => this.#ready(),
      tables: this.#tables,
      storedDelivery: (row: { readonly delivery: string | null; readonly received_at: Date }) => this.storedDelivery(row),
      flushUnwritten: () => this.#unwritten.flush(),
      holdsOutcome: (provider: string, deliveryId: string) => this.#unwritten.has(provider, deliveryId),
    };
    return new OrphanRecovery(source, receiver, this.#logger, this.#recovery || DEFAULT_RECOVERY);
  }

  /**
   * Runs `insertJob` (a queue's insert, given the transaction's connection) and marks the event
   * `queued`, in one transaction on the journal's database. A queue on the same database
   * (`@crmhooks/pg-boss`) hands off this way: a crash leaves the event either queued with its job,
   * or `running` with none (recovered once its claim lapses), never one without the other.
   */
  async queueInTransaction(event: Pick<QueuedEvent, 'provider' | 'deliveryId'>, insertJob: (db: Database) => Promise<unknown>): Promise<void> {
    const database = await this.#ready();
    if (database.transaction === undefined) {
      throw new ConfigurationError(
        "The journal's database cannot run a transaction (a `Database` over a single pg Client, or one of your own): pass postgres(new Pool(...)) " +
          'to createJournal so that a queue on the same database can store its job and the queued state together.',
      );
    }
    await database.transaction(async (tx) => {
      await tx.query(this.#writes.markQueued, [event.provider, event.deliveryId]);
      await insertJob(tx);
    });
  }

  /** The dead-letter sink: a permanently failed event is kept as `dead`, to be fixed and replayed. */
  async park(event: QueuedEvent, error: EventParkedError): Promise<void> {
    const storable = isStorableKey(event.deliveryId) && isStorableKey(event.name) && (event.tenant === undefined || isStorableKey(event.tenant));
    const [sql, params] = storable
      ? this.#writes.park(event.provider, event.deliveryId, error.code, error.message)
      : this.#writes.parkUnstorable(event, error.code, error.message);
    await (await this.#ready()).query(sql, params);
  }

  /**
   * Runs the matching events again through `webhooks` (the same handlers; `context.replay` is
   * true), oldest first, verifying each stored delivery with today's secrets. Events whose
   * signature no longer verifies, or whose body was not kept, are skipped and listed.
   */
  replay(webhooks: ReplayTarget, filter: JournalFilter, options: ReplayOptions = {}): Promise<ReplayReport> {
    return replayEvents(this, webhooks, filter, options);
  }

  /** The stored delivery an event belongs to (filed under the same day), for a replay; undefined when its body was not kept. */
  async storedDelivery(row: Pick<EventRow, 'delivery' | 'received_at'>): Promise<StoredDelivery | undefined> {
    if (row.delivery === null) return undefined;
    const [delivery] = (
      await (await this.#ready()).query<{ provider: string; tenant: string | null; received_at: Date; method: string | null; url: string | null; headers: Record<string, string>; body: Uint8Array | null }>(
        `SELECT provider, tenant, received_at, method, url, headers, body FROM ${this.#tables.deliveries} WHERE id = $1 AND received_at = $2`,
        [row.delivery, row.received_at],
      )
    ).rows;
    if (delivery?.body == null) return undefined;
    return {
      provider: delivery.provider,
      ...(delivery.tenant !== null && { tenant: delivery.tenant }),
      receivedAt: delivery.received_at.getTime(),
      method: delivery.method ?? undefined,
      url: delivery.url ?? undefined,
      headers: delivery.headers,
      body: delivery.body,
    };
  }

  /** The stored delivery one event arrived in (to replay it, or read its other events); undefined without its body. */
  async deliveryOf(provider: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    const [row] = await this.rows({ provider, deliveryId }, 1);
    return row === undefined ? undefined : this.storedDelivery(row);
  }

  /**
   * Every kept delivery whose events match `filter`, each once, oldest first: what a link
   * mirror is rebuilt from (`mirror.rebuild(journal.deliveries(), providers)`).
   */
  async *deliveries(filter: JournalFilter = {}): AsyncGenerator<StoredDelivery> {
    const seen = new Set<string>();
    for await (const row of this.oldestFirst(filter)) {
      if (row.delivery === null || seen.has(row.delivery)) continue;
      seen.add(row.delivery);
      const delivery = await this.storedDelivery(row);
      if (delivery !== undefined) yield delivery;
    }
  }

  /**
   * Drops the days that ended before the retention (or `olderThan`) began, whole: a day is one
   * partition of each table, so nothing is deleted row by row and inserts never wait on it.
   * With `tenant`, deletes only that tenant's older rows, a small batch per statement. Resolves
   * with the number of events dropped or deleted.
   */
  async prune(options: { readonly olderThan?: Date; readonly batchSize?: number; readonly tenant?: string } = {}): Promise<number> {
    const cutoff = options.olderThan ?? new Date(Date.now() - this.retentionMs);
    const database = await this.#ready();
    const batchSize = options.batchSize ?? 500;
    if (options.tenant === undefined) return prune(database, this.#tables, this.counts, cutoff, batchSize);
    const { events } = await deleteRows(database, this.#tables, 'received_at < $1 AND tenant = $2', [cutoff, options.tenant], batchSize);
    await this.counts.fold(database);
    await this.counts.dropEmpty(database);
    return events;
  }

  /**
   * Deletes everything kept of one customer (its deliveries, events and attempts), e.g. when it
   * uninstalls your app (HighLevel's `UNINSTALL`): a thousand rows per statement, so deliveries
   * of other tenants never wait behind it. Rows kept before tenants were have none: run
   * `fillTenants` first. Resolves with how many rows of each went.
   */
  async forget(
    target: { readonly provider: string; readonly tenant: string },
    options: { readonly batchSize?: number } = {},
  ): Promise<{ deliveries: number; events: number; attempts: number }> {
    if (typeof target?.provider !== 'string' || typeof target.tenant !== 'string' || target.tenant === '') {
      throw new TypeError("journal.forget({ provider, tenant }) needs both, e.g. { provider: 'superoffice', tenant: 'Cust12345' }.");
    }
    const database = await this.#afterNotes();
    return deleteRows(database, this.#tables, 'provider = $1 AND tenant = $2', [target.provider, target.tenant], options.batchSize ?? 1_000);
  }

  /**
   * Files events kept before tenants were (or by a receiver of the previous release) under the
   * tenant their signed bodies name, reading each stored delivery with `webhooks` (verified with
   * today's secrets). Deliveries whose bodies were not kept, or no longer verify, are counted and
   * left as they are. Run it once after upgrading; running it again does nothing new.
   */
  async fillTenants(webhooks: Pick<CrmWebhooks<object>, 'eventsOf'>): Promise<{ filled: number; unreadable: number }> {
    const database = await this.#ready();
    const t = this.#tables;
    let filled = 0;
    let unreadable = 0;
    for await (const delivery of this.#deliveriesWithoutTenant()) {
      const stored = await this.storedDelivery(delivery);
      const read = stored && (await webhooks.eventsOf(stored));
      if (read === undefined || read.error) {
        unreadable += 1;
        continue;
      }
      for (const event of read.events) {
        if (event.tenant === undefined) continue;
        const params = [delivery.provider, event.deliveryId, event.tenant, delivery.received_at];
        await database.query(`UPDATE ${t.events} SET tenant = $3 WHERE provider = $1 AND delivery_id = $2 AND received_at = $4 AND tenant IS NULL`, params);
        await database.query(`UPDATE ${t.attempts} SET tenant = $3 WHERE provider = $1 AND delivery_id = $2 AND received_at = $4 AND tenant IS NULL`, params);
        filled += 1;
      }
      const tenants = new Set(read.events.map((event) => event.tenant));
      const [only] = tenants;
      if (tenants.size === 1 && only !== undefined) {
        await database.query(`UPDATE ${t.deliveries} SET tenant = $2 WHERE id = $1 AND received_at = $3`, [delivery.delivery, only, delivery.received_at]);
      }
    }
    return { filled, unreadable };
  }

  /** The deliveries that have events without a tenant, a page at a time. */
  async *#deliveriesWithoutTenant(): AsyncGenerator<{ provider: string; delivery: string; received_at: Date }> {
    const database = await this.#ready();
    let after = '0';
    for (;;) {
      const { rows } = await database.query<{ provider: string; delivery: string; received_at: Date }>(
        `SELECT DISTINCT provider, delivery, received_at FROM ${this.#tables.events} WHERE tenant IS NULL AND delivery > $1 ORDER BY delivery LIMIT 500`,
        [after],
      );
      yield* rows;
      if (rows.length < 500) return;
      after = rows.at(-1)!.delivery;
    }
  }

  /** Stops pruning and closes the embedded database the journal created itself; a database you passed stays open. */
  async close(): Promise<void> {
    clearInterval(this.#pruner);
    clearInterval(this.#dayMaker);
    clearInterval(this.#folder);
    this.#pruner = undefined;
    if (!(await this.#notes.settled())) {
      this.#logger.error(
        { code: 'journal_attempts_lost' },
        `The journal closed while the database had not answered the notes of ${this.#notes.size === 1 ? 'an attempt' : `${this.#notes.size} attempts`} within ${STUCK_AFTER_MS / 1000} s; ` +
          'if they never arrive, those events show "running" with a lapsed claim, and a receiver recovers them.',
      );
    }
    await this.#folding;
    await this.#unwritten.flush().catch(() => undefined);
    this.#unwritten.stop();
    await this.#database.close();
  }
}

/** Creates a {@link Journal}: `createJournal({ database: postgres(pool) })`, or embedded PGlite by default. */
export function createJournal(options: JournalOptions = {}): Journal {
  return new Journal(options);
}
