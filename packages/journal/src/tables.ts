import { ConfigurationError } from '@crmhooks/core';
import { tableNamer } from '@crmhooks/postgres';

/** Where the journal keeps its tables: quoted, schema-qualified names. */
export interface JournalTables {
  readonly schema: string;
  /** The schema and prefix unquoted, for the names of the tables' partitions (`<prefix>events_p20261205`). */
  readonly rawSchema: string;
  readonly rawPrefix: string;
  readonly deliveries: string;
  readonly events: string;
  readonly attempts: string;
  readonly versions: string;
  /** One row per event id (provider, delivery id): what a partitioned events table cannot keep unique, and the day its event is filed under. */
  readonly claims: string;
  /** Functions that claim an event, change one by its id, park one, and make the tables' daily partitions (see partitions.ts, writes.ts). */
  readonly claim: string;
  readonly change: string;
  readonly park: string;
  readonly makePartitions: string;
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
  // Postgres cuts names at 63 bytes: the longest, `<prefix>deliveries_p20261205`, must fit whole.
  if (prefix.length > 40) throw new ConfigurationError(`createJournal({ tablePrefix }) must be at most 40 characters (its tables' daily partitions add 20), got ${prefix.length}.`);
  return {
    schema: quoted,
    rawSchema: schema,
    rawPrefix: prefix,
    deliveries: name('deliveries'),
    events: name('events'),
    attempts: name('attempts'),
    versions: name('versions'),
    claims: name('claims'),
    claim: name('claim'),
    change: name('change'),
    park: name('park'),
    makePartitions: name('make_partitions'),
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
