/**
 * @crmhooks/journal: every verified CRM delivery kept on Postgres (or PGlite), with each attempt
 * at its events; a Postgres idempotency store and dead-letter sink on the same tables; replays.
 * @packageDocumentation
 */
export { createJournal, Journal, type JournalOptions } from './journal.js';
export { JournalStore } from './store.js';
export type { OrphanRecovery, RecoveryOptions } from './recovery.js';
export type { ReplayOptions, ReplayTarget } from './replay.js';
export type { JournalBucket, ListOptions, TenantCounts } from './queries.js';
export {
  JOURNAL_STATES,
  type JournalState,
  type JournalFilter,
  type JournalEvent,
  type JournalAttempt,
  type JournalEntry,
  type JournalCursor,
  type ReplayReport,
  type SkippedEvent,
} from './types.js';
export { postgres, pglite, type Database, type PostgresOptions } from '@crmhooks/postgres';
