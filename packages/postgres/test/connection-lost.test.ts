import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LogFields } from '@crmhooks/core';
import { postgres } from '../src/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';

describe.runIf(postgresAvailable())('a connection lost while idle', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => server?.stop());

  test('is reported, not left to end the process; the pool carries on once Postgres is back', async () => {
    const pool = new pg.Pool({ connectionString: server.url });
    const warnings: [string, string][] = [];
    const database = postgres(pool, { logger: { warn: (fields: LogFields, message) => warnings.push([fields.code, message]), error: () => undefined } });
    await database.query('SELECT 1'); // leaves a connection idle in the pool
    await server.crash();
    await expect.poll(() => warnings.length).toBe(1);
    expect(warnings[0]![0]).toBe('postgres_connection_lost');
    expect(warnings[0]![1]).toMatch(/^A Postgres connection was lost while idle \(.+\); a pool opens a new one when next needed\./);
    await server.restart();
    expect((await database.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  test("a pool's own error listener is left to report it alone", () => {
    const pool = new pg.Pool({ connectionString: server.url });
    pool.on('error', () => undefined);
    postgres(pool);
    expect(pool.listenerCount('error')).toBe(1);
    const bare = new pg.Pool({ connectionString: server.url });
    postgres(bare, { logger: false });
    expect(bare.listenerCount('error')).toBe(1);
  });
});
