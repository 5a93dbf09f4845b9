import { migrate, type Database } from '@crmhooks/postgres';
import type { TableNames } from './tables.js';
import { upsertFunctions } from './upserts.js';

/** Versioned migrations: each runs once per database, in order, the version recorded with it. */
const MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly sql: (t: TableNames) => string }[] = [
  {
    version: 1,
    name: 'record links and link definitions',
    // *_key columns hold order keys (see order.ts): compared byte by byte, whatever the database's locale.
    sql: (t) => `
      CREATE TABLE ${t.links} (
        provider text NOT NULL,
        link_id text NOT NULL,
        definition_id text,
        definition_key text COLLATE "C",
        from_type text, from_table integer, from_id text,
        to_type text, to_table integer, to_id text,
        ends_key text COLLATE "C",
        created_at timestamptz,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz,
        state_key text COLLATE "C" NOT NULL,
        PRIMARY KEY (provider, link_id)
      );
      CREATE INDEX ON ${t.links} (provider, from_id);
      CREATE INDEX ON ${t.links} (provider, to_id);
      CREATE TABLE ${t.definitions} (
        provider text NOT NULL,
        definition_id text NOT NULL,
        key text,
        from_type text, from_label text,
        to_type text, to_label text,
        details_key text COLLATE "C",
        from_to_cardinality text, to_from_cardinality text,
        cardinality_key text COLLATE "C",
        created_at timestamptz,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz,
        state_key text COLLATE "C" NOT NULL,
        PRIMARY KEY (provider, definition_id)
      );
      ${upsertFunctions(t)}`,
  },
];

/** The newest schema version this release knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Creates or brings up to date the mirror's tables (once, under an advisory lock). */
export async function migrateLinks(db: Database, t: TableNames): Promise<void> {
  await migrate(db, {
    component: 'the link mirror',
    mainTable: t.links,
    schema: t.schema,
    versionsTable: t.migrations,
    migrations: MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name, sql: migration.sql(t) })),
  });
}
