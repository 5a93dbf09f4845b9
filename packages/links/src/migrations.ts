import { migrate, type Database } from '@crmhooks/postgres';
import type { TableNames } from './tables.js';
import { upsertFunctions, upsertFunctionsV1 } from './upserts.js';

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
      ${upsertFunctionsV1(t)}`,
  },
  {
    version: 2,
    name: 'links and definitions keyed by tenant',
    // Ids are unique only within one customer's CRM: the tenant joins every key. Rows of version 1
    // get the empty tenant; rebuilding the mirror from the journal files them under their tenant.
    sql: (t) => `
      ALTER TABLE ${t.links} ADD COLUMN tenant text NOT NULL DEFAULT '';
      ALTER TABLE ${t.definitions} ADD COLUMN tenant text NOT NULL DEFAULT '';
      ${dropKeysAndIndexes(t.links)}
      ${dropKeysAndIndexes(t.definitions)}
      ALTER TABLE ${t.links} ADD PRIMARY KEY (provider, tenant, link_id);
      ALTER TABLE ${t.definitions} ADD PRIMARY KEY (provider, tenant, definition_id);
      CREATE INDEX ON ${t.links} (provider, tenant, from_id);
      CREATE INDEX ON ${t.links} (provider, tenant, to_id);
      DROP FUNCTION ${t.applyLink};
      DROP FUNCTION ${t.applyDefinition};
      ${upsertFunctions(t)}`,
  },
];

/** Drops a table's primary key and indexes, whatever names Postgres gave them. */
function dropKeysAndIndexes(table: string): string {
  const literal = table.replaceAll("'", "''");
  return `DO $drop$ DECLARE found record; BEGIN
      FOR found IN SELECT conname FROM pg_constraint WHERE conrelid = '${literal}'::regclass AND contype = 'p' LOOP
        EXECUTE format('ALTER TABLE ${literal} DROP CONSTRAINT %I', found.conname);
      END LOOP;
      FOR found IN SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = '${literal}'::regclass LOOP
        EXECUTE 'DROP INDEX ' || found.name;
      END LOOP;
    END $drop$;`;
}

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
