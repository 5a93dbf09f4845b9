/**
 * Queue hand-off for crmhooks on pg-boss: receivers store verified events as jobs in Postgres
 * (with the journal, in the same transaction) and answer at once; workers run the typed handlers.
 * @packageDocumentation
 */
export { pgBossQueue, jobIdOf, DEFAULT_JOB_OPTIONS, DEFAULT_QUEUE_NAME, type PgBossQueueOptions, type PgBossEventQueue, type TransactionalJournal } from './queue.js';
export { createPgBossWorker, pgBossWorker, type PgBossWorker, type PgBossWorkerOptions } from './worker.js';
export type { EventHandlers } from '@crmhooks/core';
