import { createHash } from 'node:crypto';
import { describeThrown, toLogger, type LoggerOption } from '@crmhooks/core';
import type { PGlite } from '@electric-sql/pglite';

/** What the mirror and the journal need of a database: parameterized statements, and scripts for migrations. */
export interface Database {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<{ readonly rows: Row[] }>;
  /** Runs a script of several statements on one connection. */
  exec(script: string): Promise<unknown>;
  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back
   * when it rejects. What a queue on the same database needs to store a job and mark the event
   * queued as one fact. Absent on a `Database` over a single `pg` Client (whose queries would interleave).
   */
  transaction?<T>(work: (db: Database) => Promise<T>): Promise<T>;
}

/** A connection a `pg` Pool lends: `pool.connect()`, given back with `release`. */
interface PgPoolClient {
  query: PgQueryable['query'];
  /** An error destroys the connection instead of returning it to the pool. */
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** A lent connection's `error` event: the query in flight rejects with it too. */
const heardElsewhere = () => undefined;

/** The part of a `pg` Pool or Client used here. */
export interface PgQueryable {
  query(statement: string | { readonly name?: string; readonly text: string; readonly values?: unknown[] }, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /** A Pool's (or Client's) `error` event: a connection lost while idle. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  listenerCount?(event: 'error'): number;
  /** A Pool's `connect()` (a Client's takes no part here: see `transaction`). */
  connect?(): Promise<unknown>;
  /** Present on a Pool only: how a Pool is told from a Client, whose `connect()` opens it instead. */
  readonly idleCount?: number;
}

/** Options of {@link postgres}. */
export interface PostgresOptions {
  /**
   * Where a connection lost while idle (Postgres restarted, the network dropped) is reported,
   * when the pool has no `error` listener of its own. Default: the console; `false` for silence.
   */
  readonly logger?: LoggerOption;
}

/**
 * Postgres errors that say a named statement cannot be used: a pooler in transaction mode
 * (PgBouncer before 1.21, or without `max_prepared_statements`) hands each query to whichever
 * server connection is free, so the statement is missing there (26000) or another client's
 * is (42P05); or a newer release's migration changed the rows it returns (0A000, "cached plan
 * must not change result type") while this process kept running.
 */
const NAMED_STATEMENT_ERRORS = new Set(['26000', '42P05', '0A000']);

/**
 * Postgres through `pg`: `postgres(new Pool({ connectionString }))`, shared by any number of
 * receivers and workers. Nothing here ends the pool: it is yours.
 *
 * Statements are prepared once per connection (named, as `pg` does with `name`): the server
 * then skips parsing and planning them on every call, a fifth of a link mirror event's cost
 * on a local server (`pnpm bench` in packages/links). Behind a pooler that cannot keep them, the first such error turns
 * naming off and the statement runs again unnamed.
 */
export function postgres(pool: PgQueryable, options: PostgresOptions = {}): Database {
  // pg emits a connection lost while idle as the pool's `error` event, and Node ends a process
  // whose `error` event nobody hears: a Postgres restart would take every receiver down with it.
  if (pool.on !== undefined && pool.listenerCount?.('error') === 0) {
    const logger = toLogger(options.logger);
    pool.on('error', (error) =>
      logger.warn(
        { code: 'postgres_connection_lost' },
        `A Postgres connection was lost while idle (${describeThrown(error)}); a pool opens a new one when next needed. ` +
          'Writes in flight then failed, and their deliveries were answered so that the CRM retries them. ' +
          "To report this yourself, add your own pool.on('error') listener before calling postgres(pool).",
      ),
    );
  }
  let named = true;
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (name === undefined) names.set(sql, (name = `crmhooks_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
    return name;
  };
  const over = (connection: Pick<PgQueryable, 'query'>): Database => {
    const unnamed = async <Row>(sql: string, params: readonly unknown[]) => (await connection.query(sql, [...params])) as { rows: Row[] };
    return {
      async query<Row>(sql: string, params: readonly unknown[] = []) {
        if (!named) return unnamed<Row>(sql, params);
        try {
          return (await connection.query({ name: nameOf(sql), text: sql, values: [...params] })) as { rows: Row[] };
        } catch (error) {
          if (!NAMED_STATEMENT_ERRORS.has((error as { code?: string }).code ?? '')) throw error;
          named = false;
          return unnamed<Row>(sql, params);
        }
      },
      // Without parameters, pg sends a script as one simple query: its statements run on one connection.
      exec: (script) => connection.query(script),
    };
  };
  const database = over(pool);
  if (typeof pool.idleCount !== 'number' || pool.connect === undefined) return database;
  const connect = pool.connect.bind(pool) as () => Promise<PgPoolClient>;
  return {
    ...database,
    async transaction<T>(work: (db: Database) => Promise<T>): Promise<T> {
      const client = await connect();
      // A pool listens for a connection's errors only while it is idle: one lost while lent would
      // otherwise be an `error` event nobody hears, which ends the process.
      client.on('error', heardElsewhere);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(over(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((lost: Error) => (broken = lost));
        throw error;
      } finally {
        // A connection that could not roll back is closed, never lent again mid-transaction.
        client.off('error', heardElsewhere);
        client.release(broken ?? false);
      }
    },
  };
}

/**
 * PGlite, Postgres compiled to WASM and run in this process: no server. In memory, or kept in a
 * folder: `pglite(new PGlite('./data/crm'))`. One process only; nothing here closes it.
 */
export function pglite(db: PGlite): Database {
  type Connection = Pick<PGlite, 'query' | 'exec'>;
  const over = (connection: Connection): Database => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []) => connection.query<Row>(sql, [...params]),
    exec: (script) => connection.exec(script),
  });
  return { ...over(db), transaction: (work) => db.transaction((tx) => work(over(tx))) };
}
