import { ConfigurationError } from '@crmhooks/core';

/** Where the journal keeps its tables: quoted, schema-qualified names. */
export interface JournalTables {
  readonly schema: string;
  readonly deliveries: string;
  readonly events: string;
  readonly attempts: string;
  readonly versions: string;
  /** The function that notes attempts (see writes.ts). */
  readonly noteAttempts: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Names checked before they go into SQL text. */
export function journalTables(schema = 'public', prefix = 'crmhooks_journal_'): JournalTables {
  if (!IDENTIFIER.test(schema)) throw new ConfigurationError(`createJournal({ schema }) must be a lower-case SQL identifier, got "${schema}".`);
  if (prefix !== '' && !IDENTIFIER.test(prefix)) {
    throw new ConfigurationError(`createJournal({ tablePrefix }) must be lower-case letters, digits and _, got "${prefix}".`);
  }
  const name = (table: string) => `"${schema}"."${prefix}${table}"`;
  return {
    schema: `"${schema}"`,
    deliveries: name('deliveries'),
    events: name('events'),
    attempts: name('attempts'),
    versions: name('versions'),
    noteAttempts: name('note_attempts'),
  };
}
