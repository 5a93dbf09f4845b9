/**
 * @crmhooks/postgres: the database layer the link mirror and the journal share: Postgres
 * through `pg` or embedded PGlite, prepared statements with a pooler fallback, and migrations
 * under an advisory lock.
 * @packageDocumentation
 */
export { postgres, pglite, type Database, type PgQueryable, type PostgresOptions } from './database.js';
export { migrate, type Migration, type MigrationTarget } from './migrate.js';
export { ManagedDatabase } from './managed.js';
export { tableNamer } from './names.js';
export { deleteInBatches } from './batches.js';
