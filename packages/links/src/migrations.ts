import type { Database } from './database.js';
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

/**
 * Creates or brings up to date the mirror's tables, in one transaction under an advisory
 * lock, so processes starting together never migrate twice.
 */
export async function migrate(db: Database, t: TableNames): Promise<void> {
  const steps = MIGRATIONS.map(
    (migration) => `
      IF NOT EXISTS (SELECT 1 FROM ${t.migrations} WHERE version = ${migration.version}) THEN
        ${migration.sql(t)}
        INSERT INTO ${t.migrations} (version, name) VALUES (${migration.version}, '${migration.name}');
      END IF;`,
  );
  await db.exec(`
    BEGIN;
    SELECT pg_advisory_xact_lock(hashtext('crmhooks links ' || '${t.migrations.replaceAll("'", "''")}'));
    CREATE SCHEMA IF NOT EXISTS ${t.schema};
    CREATE TABLE IF NOT EXISTS ${t.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
    DO $migrations$ BEGIN ${steps.join('\n')} END $migrations$;
    COMMIT;`);
}
