import type { Database } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';

/** The tables partitioned by day (UTC), each partition named `<prefix><table>_pYYYYMMDD`. */
const PARTITIONED = ['deliveries', 'events', 'attempts'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Days made ahead of today, so a journal whose processes all stop for a while still finds its days. */
export const DAYS_AHEAD = 3;

/**
 * The function that makes the daily partitions of the days from `first` to `last`, those missing.
 * Each is made on its own and attached: attaching takes a lock that inserts do not wait for
 * (creating one as `PARTITION OF` would make them wait). Under an advisory lock, so that two
 * processes never make the same day.
 */
export function makePartitionsFunction(t: JournalTables): string {
  return `
    CREATE OR REPLACE FUNCTION ${t.makePartitions}(first timestamptz, last timestamptz) RETURNS integer LANGUAGE plpgsql AS $fn$
    DECLARE
      day timestamptz := date_trunc('day', first, 'UTC');
      made integer := 0;
      whole text;
      part text;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('crmhooks ${t.makePartitions}'));
      -- Days are UTC days: 24 hours each, whatever the session's time zone.
      WHILE day <= last LOOP
        FOREACH whole IN ARRAY ARRAY[${PARTITIONED.map((table) => `'${table}'`).join(', ')}] LOOP
          part := '${t.rawPrefix}' || whole || '_p' || to_char(day AT TIME ZONE 'UTC', 'YYYYMMDD');
          CONTINUE WHEN to_regclass(format('%I.%I', '${t.rawSchema}', part)) IS NOT NULL;
          EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS)', '${t.rawSchema}', part, '${t.rawSchema}', '${t.rawPrefix}' || whole);
          EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
            '${t.rawSchema}', '${t.rawPrefix}' || whole, '${t.rawSchema}', part, day, day + interval '24 hours');
          made := made + 1;
        END LOOP;
        day := day + interval '24 hours';
      END LOOP;
      RETURN made;
    END $fn$;`;
}

/**
 * Version 8: deliveries, events and attempts partitioned by the day their delivery arrived, so
 * retention drops a day whole instead of deleting its rows; the uniqueness of an event's id, which
 * a partitioned table cannot keep, moves to the claims table (one narrow row per event). The rows
 * kept so far are copied over, in this transaction (writers wait for it).
 */
export function partitionedMigration(t: JournalTables, functions: string): string {
  const old = (table: string) => `${t.rawPrefix}${table}_v7`;
  const sequence = (table: string) => `"${t.rawSchema}"."${t.rawPrefix}${table}_id_seq"`;
  const previous = (table: string) => `"${t.rawSchema}"."${old(table)}"`;
  const ms = (time: string) => `date_trunc('milliseconds', ${time})`;
  return `
    ALTER TABLE ${t.deliveries} RENAME TO ${old('deliveries')};
    ALTER TABLE ${t.events} RENAME TO ${old('events')};
    ALTER TABLE ${t.attempts} RENAME TO ${old('attempts')};
    DROP FUNCTION IF EXISTS ${t.write}(jsonb, jsonb, double precision);

    CREATE TABLE ${t.claims} (
      provider text NOT NULL,
      delivery_id text NOT NULL,
      -- the day its event is filed under: when its delivery arrived
      received_at timestamptz NOT NULL,
      write_key text,
      PRIMARY KEY (provider, delivery_id)
    );
    CREATE INDEX ON ${t.claims} (received_at);
    CREATE TABLE ${t.deliveries} (
      id bigint NOT NULL DEFAULT nextval('${sequence('deliveries')}'),
      provider text NOT NULL,
      tenant text,
      body_sha256 text NOT NULL,
      received_at timestamptz NOT NULL,
      method text,
      url text,
      headers jsonb NOT NULL,
      body bytea,
      PRIMARY KEY (id, received_at)
    ) PARTITION BY RANGE (received_at);
    ALTER SEQUENCE ${sequence('deliveries')} OWNED BY ${t.deliveries}.id;
    CREATE INDEX ON ${t.deliveries} (tenant);
    CREATE TABLE ${t.events} (
      provider text NOT NULL,
      tenant text,
      delivery_id text NOT NULL,
      delivery bigint,
      name text NOT NULL,
      state text NOT NULL,
      lease_until timestamptz,
      received_at timestamptz NOT NULL,
      signed_at timestamptz,
      updated_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      last_status integer,
      last_code text,
      last_message text,
      record_ids text[] NOT NULL DEFAULT '{}',
      recoveries integer NOT NULL DEFAULT 0,
      PRIMARY KEY (provider, delivery_id, received_at)
    ) PARTITION BY RANGE (received_at);
    CREATE INDEX ON ${t.events} (received_at DESC);
    CREATE INDEX ON ${t.events} (provider, state, received_at DESC);
    CREATE INDEX ON ${t.events} (state, received_at DESC);
    CREATE INDEX ON ${t.events} (tenant, state, received_at DESC);
    CREATE INDEX ON ${t.events} USING gin (record_ids);
    CREATE INDEX ON ${t.events} (delivery_id);
    CREATE TABLE ${t.attempts} (
      id bigint NOT NULL DEFAULT nextval('${sequence('attempts')}'),
      provider text NOT NULL,
      tenant text,
      delivery_id text NOT NULL,
      -- its event's day
      received_at timestamptz NOT NULL,
      at timestamptz NOT NULL,
      result text NOT NULL,
      status integer,
      code text,
      message text,
      duration_ms real NOT NULL,
      replay boolean NOT NULL,
      write_key text
    ) PARTITION BY RANGE (received_at);
    ALTER SEQUENCE ${sequence('attempts')} OWNED BY ${t.attempts}.id;
    CREATE INDEX ON ${t.attempts} (provider, delivery_id);
    CREATE INDEX ON ${t.attempts} (tenant);
    ${functions}

    -- Every day the kept rows span, and the days ahead.
    PERFORM ${t.makePartitions}(
      least(now(), (SELECT min(received_at) FROM ${previous('deliveries')}), (SELECT min(received_at) FROM ${previous('events')}),
        (SELECT min(at) FROM ${previous('attempts')})),
      greatest(now() + interval '${DAYS_AHEAD} days', (SELECT max(received_at) FROM ${previous('deliveries')}), (SELECT max(received_at) FROM ${previous('events')}),
        (SELECT max(at) FROM ${previous('attempts')})));
    -- Times to the millisecond (those of claims taken before the delivery was recorded had microseconds):
    -- they name an event's day from JavaScript, whose Dates keep milliseconds.
    INSERT INTO ${t.claims} (provider, delivery_id, received_at) SELECT provider, delivery_id, ${ms('received_at')} FROM ${previous('events')};
    INSERT INTO ${t.deliveries} (id, provider, tenant, body_sha256, received_at, method, url, headers, body)
      SELECT id, provider, tenant, body_sha256, ${ms('received_at')}, method, url, headers, body FROM ${previous('deliveries')};
    -- The counts already count these events: they are copied before the triggers that count exist.
    INSERT INTO ${t.events} (provider, tenant, delivery_id, delivery, name, state, lease_until, received_at, signed_at, updated_at,
        attempts, last_status, last_code, last_message, record_ids, recoveries)
      SELECT provider, tenant, delivery_id, delivery, name, state, lease_until, ${ms('received_at')}, signed_at, updated_at,
        attempts, last_status, last_code, last_message, record_ids, recoveries FROM ${previous('events')};
    -- An attempt goes with its event's day; one whose event is gone, with its own.
    INSERT INTO ${t.attempts} (id, provider, tenant, delivery_id, received_at, at, result, status, code, message, duration_ms, replay, write_key)
      SELECT a.id, a.provider, a.tenant, a.delivery_id, ${ms('coalesce(e.received_at, a.at)')}, a.at, a.result, a.status, a.code, a.message, a.duration_ms, a.replay, a.write_key
      FROM ${previous('attempts')} a LEFT JOIN ${previous('events')} e ON e.provider = a.provider AND e.delivery_id = a.delivery_id;
    DROP TABLE ${previous('attempts')}, ${previous('events')}, ${previous('deliveries')};
    CREATE TRIGGER counted_inserts AFTER INSERT ON ${t.events} FOR EACH ROW WHEN (NEW.state <> 'running') EXECUTE FUNCTION ${t.countChange}();
    CREATE TRIGGER counted_deletes AFTER DELETE ON ${t.events} FOR EACH ROW WHEN (OLD.state <> 'running') EXECUTE FUNCTION ${t.countChange}();
    CREATE TRIGGER counted_changes AFTER UPDATE ON ${t.events} FOR EACH ROW
      WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.tenant IS DISTINCT FROM NEW.tenant
        OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.received_at IS DISTINCT FROM NEW.received_at)
      EXECUTE FUNCTION ${t.countChange}();
    ANALYZE ${t.claims}, ${t.deliveries}, ${t.events}, ${t.attempts};`;
}

/** A day's partition of one table, by name: `<prefix>events_p20261205`. */
interface DayTable {
  readonly name: string;
  readonly parent: string;
  readonly attached: boolean;
  readonly pending: boolean;
}

/** Whether a day's table is attached and no process has begun to detach it. */
async function stillAttached(db: Database, schema: string, name: string): Promise<boolean> {
  const { rows } = await db.query<{ attached: boolean }>(
    `SELECT NOT i.inhdetachpending AS attached FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  );
  return rows[0]?.attached === true;
}

/** Makes the days ahead (and today's, and yesterday's, for receivers whose clocks lag). */
export async function makePartitionsAhead(db: Database, t: JournalTables): Promise<void> {
  await db.query(`SELECT ${t.makePartitions}(now() - interval '1 day', now() + interval '${DAYS_AHEAD} days')`);
}

/**
 * Drops the days that ended at or before `cutoff`, each table's partition detached concurrently
 * first (inserts never wait on it), then dropped. A day left detached or half-detached by a
 * process that died is finished. Resolves with the days dropped, as the start of each.
 */
export async function dropDaysBefore(db: Database, t: JournalTables, cutoff: Date): Promise<Date[]> {
  const pattern = `^${t.rawPrefix}(${PARTITIONED.join('|')})_p([0-9]{8})$`;
  const { rows } = await db.query<DayTable & { day: string }>(
    `SELECT c.relname AS name, substring(c.relname FROM $2) AS day, p.relname AS parent, i.inhrelid IS NOT NULL AS attached, coalesce(i.inhdetachpending, false) AS pending
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class p ON p.oid = i.inhparent
     WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname ~ $3 ORDER BY 2, 1`,
    [t.rawSchema, `_p([0-9]{8})$`, pattern],
  );
  const days = new Set<string>();
  for (const table of rows) {
    const start = Date.UTC(Number(table.day.slice(0, 4)), Number(table.day.slice(4, 6)) - 1, Number(table.day.slice(6, 8)));
    if (start + DAY_MS > cutoff.getTime()) continue;
    const quoted = `"${t.rawSchema}"."${table.name}"`;
    if (table.attached) {
      const parent = `"${t.rawSchema}"."${table.parent}"`;
      try {
        // FINALIZE: a detach begun by a process that died before it ended.
        await db.query(`ALTER TABLE ${parent} DETACH PARTITION ${quoted} ${table.pending ? 'FINALIZE' : 'CONCURRENTLY'}`);
      } catch (error) {
        // Another process pruning at the same moment is detaching it: that process drops it.
        if (await stillAttached(db, t.rawSchema, table.name)) throw error;
        continue;
      }
    }
    await db.query(`DROP TABLE IF EXISTS ${quoted}`);
    days.add(table.day);
  }
  return [...days].map((day) => new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)))));
}

/**
 * The database, its statements retried once after making the missing day when one finds its day
 * missing (a receiver whose clock is days off, or a journal whose processes all stopped for
 * longer than the days made ahead): a write never fails for want of a partition.
 */
export function withDaysMade(db: Database, t: JournalTables): Database {
  return {
    ...db,
    async query<Row>(sql: string, params?: readonly unknown[]) {
      try {
        return await db.query<Row>(sql, params);
      } catch (error) {
        const day = missingDay(error);
        if (day === undefined) throw error;
        await db.query(`SELECT ${t.makePartitions}($1::timestamptz, $1::timestamptz)`, [day]);
        await makePartitionsAhead(db, t);
        return db.query<Row>(sql, params);
      }
    },
  };
}

/** The time of the row that found no partition, as Postgres wrote it in its error ("no partition of relation ... found for row"). */
function missingDay(error: unknown): string | undefined {
  const { code, detail } = error as { code?: string; detail?: string };
  return code === '23514' ? /\(received_at\) = \((.+)\)/.exec(detail ?? '')?.[1] : undefined;
}
