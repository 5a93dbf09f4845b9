import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pglite, postgres, type Database } from '../src/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';

/** Commits what a resolved transaction wrote and rolls back what a rejected one wrote. */
async function commitsAndRollsBack(database: Database) {
  await database.exec('CREATE TABLE IF NOT EXISTS tx_rows (id text PRIMARY KEY)');
  await database.transaction!(async (tx) => void (await tx.query('INSERT INTO tx_rows VALUES ($1)', ['kept'])));
  await expect(
    database.transaction!(async (tx) => {
      await tx.query('INSERT INTO tx_rows VALUES ($1)', ['undone']);
      throw new Error('the job could not be stored');
    }),
  ).rejects.toThrow('the job could not be stored');
  expect((await database.query<{ id: string }>('SELECT id FROM tx_rows ORDER BY id')).rows).toEqual([{ id: 'kept' }]);
}

describe.runIf(postgresAvailable())('transactions on Postgres (pg Pool)', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  test('commit when the work resolves, roll back when it rejects', async () => {
    await commitsAndRollsBack(postgres(pool));
  });

  test('a connection lost mid-transaction rejects the work, does not end the process, and is not lent again', async () => {
    const database = postgres(pool);
    const lost = database.transaction!(async (tx) => {
      const [{ pid }] = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await tx.query('SELECT pg_sleep(0.2)');
    });
    // pg names the loss either way, depending on whether the termination or the next query is seen first.
    await expect(lost).rejects.toThrow(/terminat|connection error/);
    // Both connections work afterwards: the broken one was destroyed, not returned.
    await Promise.all([database.query('SELECT 1'), database.query('SELECT 1')]);
    expect(pool.totalCount).toBeLessThanOrEqual(2);
  });

  test('a single pg Client offers no transaction: its concurrent queries would join it', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      expect(postgres(client).transaction).toBeUndefined();
    } finally {
      await client.end();
    }
  });
});

describe('transactions on PGlite', () => {
  test('commit when the work resolves, roll back when it rejects', async () => {
    const db = new PGlite();
    try {
      await commitsAndRollsBack(pglite(db));
    } finally {
      await db.close();
    }
  });
});
