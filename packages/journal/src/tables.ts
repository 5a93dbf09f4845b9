import { tableNamer } from '@crmhooks/postgres';

/** Where the journal keeps its tables: quoted, schema-qualified names. */
export interface JournalTables {
  readonly schema: string;
  readonly deliveries: string;
  readonly events: string;
  readonly attempts: string;
  readonly versions: string;
  /** The function that writes a batch of deliveries and attempts (see writes.ts). */
  readonly write: string;
  /** The function that noted attempts before version 2 of the tables. */
  readonly noteAttempts: string;
  /** The counts by hour and tenant (see counts.ts): changes not yet folded, and the folded counts. */
  readonly changes: string;
  readonly hours: string;
  readonly tenantHours: string;
  readonly tenantDay: string;
  readonly countsSince: string;
  readonly countChange: string;
  readonly foldCounts: string;
}

/** Names checked before they go into SQL text. */
export function journalTables(schema = 'public', prefix = 'crmhooks_journal_'): JournalTables {
  const { schema: quoted, name } = tableNamer('createJournal', schema, prefix);
  return {
    schema: quoted,
    deliveries: name('deliveries'),
    events: name('events'),
    attempts: name('attempts'),
    versions: name('versions'),
    write: name('write'),
    noteAttempts: name('note_attempts'),
    changes: name('count_changes'),
    hours: name('hour_counts'),
    tenantHours: name('tenant_hour_counts'),
    tenantDay: name('tenant_day_counts'),
    countsSince: name('counts_since'),
    countChange: name('count_change'),
    foldCounts: name('fold_counts'),
  };
}
