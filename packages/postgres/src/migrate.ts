import { describeThrown } from '@crmhooks/core';
import type { Database } from './database.js';

/** One schema change: run once per database, in order of `version`, recorded with its name. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL run inside a PL/pgSQL block, in the same transaction as the record of it. */
  readonly sql: string;
}

/** Where a component keeps its tables and its record of applied migrations. */
export interface MigrationTarget {
  /** What owns the tables, for the error message: `the journal`, `the link mirror`. */
  readonly component: string;
  /** The table named in that message. */
  readonly mainTable: string;
  /** Quoted schema name; created if missing. */
  readonly schema: string;
  /** Quoted, schema-qualified name of the table recording this component's applied versions. */
  readonly versionsTable: string;
  readonly migrations: readonly Migration[];
}

/**
 * Creates or brings up to date a component's tables in one transaction under an advisory lock
 * named after its versions table, so processes starting together never migrate twice, and
 * components sharing a database (the link mirror, the journal) never wait on each other.
 */
export async function migrate(db: Database, target: MigrationTarget): Promise<void> {
  const steps = target.migrations.map(
    (migration) => `
      IF NOT EXISTS (SELECT 1 FROM ${target.versionsTable} WHERE version = ${migration.version}) THEN
        ${migration.sql}
        INSERT INTO ${target.versionsTable} (version, name) VALUES (${migration.version}, ${quoteLiteral(migration.name)});
      END IF;`,
  );
  const script = `
    BEGIN;
    SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(`crmhooks ${target.versionsTable}`)}));
    CREATE SCHEMA IF NOT EXISTS ${target.schema};
    CREATE TABLE IF NOT EXISTS ${target.versionsTable} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
    DO $migrations$ BEGIN ${steps.join('\n')} END $migrations$;
    COMMIT;`;
  try {
    await db.exec(script);
  } catch (error) {
    const component = target.component.charAt(0).toUpperCase() + target.component.slice(1);
    throw new Error(
      `${component} could not create or migrate its tables (${target.mainTable} and others): ${describeThrown(error)}. ` +
        `Check that the database is reachable and that its user may CREATE in schema ${target.schema}.`,
      { cause: error },
    );
  }
}

const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
