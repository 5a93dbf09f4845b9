import { createHash, randomUUID } from 'node:crypto';
import { ConfigurationError, MAX_YIELD, TenantFairness, Warnings, type EventQueue, type FairnessOptions, type QueuedEvent } from '@crmhooks/core';
import type PgBoss from 'pg-boss';

/** The queue crmhooks uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'crm-events';

/**
 * The job options crmhooks uses unless told otherwise: 10 retries with exponential backoff from
 * 2 s (about 17 minutes in all), and a job whose worker died (or ran past 60 s) retried after
 * 60 s: keep `expireInSeconds` above the receiver's `handlerTimeoutMs` (30 s by default).
 */
export const DEFAULT_JOB_OPTIONS = {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 60,
} as const satisfies PgBoss.SendOptions;

/** What a queue needs of a journal to commit a job with the event's queued state (`@crmhooks/journal`'s `Journal`). */
export interface TransactionalJournal {
  queueInTransaction(
    event: Pick<QueuedEvent, 'provider' | 'deliveryId'>,
    insertJob: (db: { query(sql: string, params?: readonly unknown[]): Promise<{ readonly rows: unknown[] }> }) => Promise<unknown>,
  ): Promise<void>;
}

/** Options of {@link pgBossQueue}. */
export interface PgBossQueueOptions {
  /** The pg-boss queue's name, created if missing. Default `crm-events`. */
  readonly name?: string;
  /** Options of every job, over {@link DEFAULT_JOB_OPTIONS}. */
  readonly jobOptions?: Omit<PgBoss.SendOptions, 'id' | 'db'>;
  /**
   * One customer's burst never holds back the others: a tenant within its rate (20 events a
   * second and bursts of 50, per receiver, by default) queues jobs at the highest priority, which
   * pg-boss's workers take first; a tenant over it queues lower ones, smaller bursts first.
   * `false` queues every job alike, first come first served (so does a `priority` of your own in `jobOptions`).
   */
  readonly fairness?: FairnessOptions | false;
  /**
   * The journal, when its tables are in pg-boss's database: each job is then inserted in the
   * transaction that marks its event `queued`, so that recorded and queued are one fact. A crash
   * before the commit leaves neither (the CRM's retry, or the journal's recovery, queues it
   * again); after it, both.
   */
  readonly journal?: TransactionalJournal;
}

/** A queue hand-off on pg-boss. */
export interface PgBossEventQueue extends EventQueue {
  /** Resolves once the pg-boss queue exists (created if missing): await it at start-up to fail fast. */
  ready(): Promise<void>;
}

/**
 * The job id of an event: a UUID (pg-boss's ids are UUIDs) derived from its provider and delivery
 * id, so copies of a delivery (CRM retries, several receivers) never make a second job. A replay
 * is a job of its own: the first run's job may still be kept, and must not swallow it.
 */
export function jobIdOf(event: Pick<QueuedEvent, 'provider' | 'deliveryId' | 'replay'>): string {
  if (event.replay) return randomUUID();
  const hex = createHash('sha256').update(`${event.provider}\n${event.deliveryId}`).digest('hex');
  // Shaped as a version 8 (custom) UUID with the RFC variant.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Postgres's "no such table" and "no such schema": pg-boss's tables are not where the journal is. */
const MISSING_RELATION = new Set(['42P01', '3F000']);

/**
 * Hands a receiver's verified events to pg-boss: `createWebhooks({ providers, queue: pgBossQueue(boss, { journal }) })`.
 * One job per event, named after the event's queue; the delivery is answered 2xx once Postgres
 * committed the job, and workers ({@link createPgBossWorker}) run the handlers. `boss` must be
 * started (`await boss.start()`). With `journal`, the job and the event's queued state commit together.
 */
export function pgBossQueue(boss: PgBoss, options: PgBossQueueOptions = {}): PgBossEventQueue {
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const jobOptions = { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions };
  const { journal } = options;
  const fairness = options.fairness === false || jobOptions.priority !== undefined ? undefined : new TenantFairness(options.fairness);
  let created: Promise<void> | undefined;
  const warnings = new Warnings();
  // pg-boss emits its own failures (maintenance with Postgres down) as `error` events, and Node
  // ends a process whose `error` event nobody hears: a Postgres restart would end every receiver.
  if (boss.listenerCount('error') === 0) {
    boss.on('error', (error: Error) => warnings.emit(`pg-boss reported: ${error.message}. Add your own boss.on('error') listener to report it yourself.`));
  }
  const ready = () => {
    // A failed creation (Postgres down) is tried again by the next delivery.
    created ??= boss.createQueue(name).catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  };
  return {
    ready,
    onWarning: (listener) => warnings.listen(listener),
    enqueue: async (event) => {
      await ready();
      const id = jobIdOf(event);
      // pg-boss's workers take the highest priority first: a tenant within its rate gets the top one.
      const yielded = fairness?.yieldOf(`${event.provider}\n${event.tenant ?? ''}`);
      const send = { ...jobOptions, id, ...(fairness && { priority: MAX_YIELD - (yielded ?? 0) }) };
      if (journal === undefined) {
        await boss.send(name, event, send);
        return;
      }
      try {
        await journal.queueInTransaction(event, (db) =>
          boss.send(name, event, { ...send, db: { executeSql: (text, values) => db.query(text, values) } }),
        );
      } catch (error) {
        if (!MISSING_RELATION.has((error as { code?: string }).code ?? '')) throw error;
        throw new ConfigurationError(
          `pgBossQueue: pg-boss's tables are not in the journal's database (${(error as Error).message}). Pass \`journal\` only when the ` +
            "journal's pool and pg-boss connect to the same database; otherwise leave it out (the job and the journal are then written one after the other).",
        );
      }
    },
  };
}
