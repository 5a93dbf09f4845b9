import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pglite, postgres, type Database } from '../../src/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../../test/support/postgres-server.js';

/** A database the mirror's tests run on, started once per test file. */
export interface TestDatabase {
  readonly name: string;
  readonly available: boolean;
  start(): Promise<{ readonly database: Database; readonly url?: string; stop(): Promise<void> }>;
}

export const embedded: TestDatabase = {
  name: 'PGlite',
  available: true,
  async start() {
    const db = await PGlite.create();
    return { database: pglite(db), stop: () => db.close() };
  },
};

export const server: TestDatabase = {
  name: 'Postgres',
  available: postgresAvailable(),
  async start() {
    const cluster: PostgresServer = await startPostgres();
    const pool = new pg.Pool({ connectionString: cluster.url, max: 8 });
    let stopping = false;
    // An idle client may hear the server shut down at the end; pg reports that on the pool.
    pool.on('error', (error) => void (stopping || console.error('pg pool:', error)));
    return { database: postgres(pool), url: cluster.url, stop: async () => ((stopping = true), await pool.end(), await cluster.stop()) };
  },
};

/** Both kinds; tests on Postgres run wherever it is installed, and always in CI. */
export const DATABASES = [embedded, server] as const;
