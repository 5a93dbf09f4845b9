import { migrate, type Database, type Migration } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';
import { countBeforeUpdateMigration, countsMigration } from './counts.js';
import { writerOfVersion7 } from './legacy.js';
import { keyedFunctions } from './keyed.js';
import { makePartitionsFunction, partitionedMigration } from './partitions.js';
import { writeFunction } from './writes.js';

/**
 * One row per delivery that brought a new event, one per event (with the idempotency store's
 * lease; its claim, one row per id, keeps ids unique), one per attempt; since version 8 the
 * three are partitioned by the day the delivery arrived. States of an event: received (a store's claim came first),
 * running (claimed, leased), queued, handled, failed, dead (parked: a permanent failure).
 */
const migrations = (t: JournalTables): Migration[] => [
  {
    version: 1,
    name: 'deliveries, events and attempts',
    sql: `
      CREATE TABLE ${t.deliveries} (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        body_sha256 text NOT NULL,
        received_at timestamptz NOT NULL,
        method text,
        url text,
        headers jsonb NOT NULL,
        body bytea,
        UNIQUE (provider, body_sha256)
      );
      CREATE INDEX ON ${t.deliveries} (received_at);
      CREATE TABLE ${t.events} (
        provider text NOT NULL,
        delivery_id text NOT NULL,
        delivery bigint,
        name text NOT NULL,
        state text NOT NULL,
        lease_until timestamptz,
        received_at timestamptz NOT NULL,
        signed_at timestamptz,
        updated_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_status integer,
        last_code text,
        last_message text,
        record_ids text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (provider, delivery_id)
      );
      CREATE INDEX ON ${t.events} (received_at DESC);
      CREATE INDEX ON ${t.events} (provider, state, received_at DESC);
      CREATE INDEX ON ${t.events} (state, received_at DESC);
      CREATE INDEX ON ${t.events} USING gin (record_ids);
      CREATE INDEX ON ${t.events} (delivery_id);
      CREATE TABLE ${t.attempts} (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        delivery_id text NOT NULL,
        at timestamptz NOT NULL,
        result text NOT NULL,
        status integer,
        code text,
        message text,
        duration_ms real NOT NULL,
        replay boolean NOT NULL
      );
      CREATE INDEX ON ${t.attempts} (provider, delivery_id, at);
      CREATE INDEX ON ${t.attempts} (at);`,
  },
  {
    version: 2,
    name: 'deliveries and attempts written in batches',
    sql: `
      DROP FUNCTION IF EXISTS ${t.noteAttempts}(jsonb);
      ${writerOfVersion7(t)}`,
  },
  {
    version: 3,
    name: 'writes retried without repeating what their first try committed',
    // Version 2's writer, an overload with one argument less, stays: receivers not yet upgraded
    // keep writing during a rolling deploy (the new columns are nullable).
    sql: `
      ALTER TABLE ${t.events} ADD COLUMN write_key text;
      ALTER TABLE ${t.attempts} ADD COLUMN write_key text;
      ${writerOfVersion7(t)}`,
  },
  {
    version: 4,
    name: 'the tenant of every delivery, event and attempt',
    // Nullable: rows written before, and by receivers of the previous release during a rolling
    // deploy (their writer is replaced in place, and reads a missing tenant as null).
    sql: `
      ALTER TABLE ${t.deliveries} ADD COLUMN tenant text;
      ALTER TABLE ${t.events} ADD COLUMN tenant text;
      ALTER TABLE ${t.attempts} ADD COLUMN tenant text;
      CREATE INDEX ON ${t.events} (tenant, received_at DESC);
      CREATE INDEX ON ${t.deliveries} (tenant);
      CREATE INDEX ON ${t.attempts} (tenant);
      ${writerOfVersion7(t)}`,
  },
  {
    version: 5,
    name: 'a successful replay clears the last answer',
    sql: writerOfVersion7(t),
  },
  {
    version: 6,
    name: 'recoveries of orphaned events',
    sql: `ALTER TABLE ${t.events} ADD COLUMN recoveries integer NOT NULL DEFAULT 0;`,
  },
  {
    version: 7,
    name: "counts by hour and tenant, kept as events change; a tenant's events found by state",
    sql: countsMigration(t),
  },
  {
    version: 8,
    name: 'deliveries, events and attempts partitioned by day; event ids kept unique by the claims table',
    sql: partitionedMigration(t, `${makePartitionsFunction(t)} ${keyedFunctions(t)} ${writeFunction(t)}`),
  },
  {
    version: 9,
    name: 'changes of state counted before the update',
    sql: countBeforeUpdateMigration(t),
  },
];

/** Creates or brings up to date the journal's tables (once, under an advisory lock); `upTo` stops at a version (tests of a migration). */
export function migrateJournal(db: Database, t: JournalTables, upTo = Number.POSITIVE_INFINITY): Promise<void> {
  const steps = migrations(t).filter((migration) => migration.version <= upTo);
  return migrate(db, { component: 'the journal', mainTable: t.events, schema: t.schema, versionsTable: t.versions, migrations: steps });
}
