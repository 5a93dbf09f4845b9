import type { PGlite } from '@electric-sql/pglite';

/** What the mirror needs of a database: parameterized statements, and scripts for migrations. */
export interface Database {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<{ readonly rows: Row[] }>;
  /** Runs a script of several statements on one connection. */
  exec(script: string): Promise<unknown>;
}

/** The part of a `pg` Pool or Client the mirror uses. */
export interface PgQueryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Postgres through `pg`: `postgres(new Pool({ connectionString }))`. Every change is one
 * atomic upsert, so any number of receivers and workers can share the tables. The mirror
 * never ends the pool: it is yours.
 */
export function postgres(pool: PgQueryable): Database {
  return {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await pool.query(sql, [...params])) as { rows: Row[] },
    // Without parameters, pg sends a script as one simple query: its statements run on one connection.
    exec: (script) => pool.query(script),
  };
}

/**
 * PGlite, Postgres compiled to WASM and run in this process: no server. In memory, or kept in a
 * folder: `pglite(new PGlite('./data/links'))`. One process only; the mirror never closes it.
 */
export function pglite(db: PGlite): Database {
  return {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => db.query<Row>(sql, [...params]),
    exec: (script) => db.exec(script),
  };
}
