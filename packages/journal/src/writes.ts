import { isStorableKey, type ArrivedDelivery, type DeliveryAttempt, type QueuedEvent } from '@crmhooks/core';
import { createHash } from 'node:crypto';
import type { Database } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';

/**
 * Writes a batch in one call: the deliveries and their events, then the attempts. An event is
 * new when its claim (provider, delivery id: unique in the claims table, which the events table,
 * partitioned by day, cannot be) is: it is inserted claimed (`running`, leased) and returned,
 * which saves the store's claim its round trip. A delivery is kept when it brings a new event:
 * a retry's events are filed under the first delivery that brought them. An event is filed
 * under the day its delivery arrived; its attempts go with it (same day), so a day is dropped whole.
 *
 * Attempts are noted one event at a time, its day read from its claim first: a statement that
 * names the day touches one partition, where one that leaves the day to a subquery is planned
 * over every partition (about 0.8 ms with 35 days, against 0.05).
 *
 * Each write carries a key. A `retry` (the first try failed, perhaps only its answer was lost)
 * also answers the events claimed under its key before, and skips attempts noted under it.
 */
export function writeFunction(t: JournalTables): string {
  return `
    CREATE OR REPLACE FUNCTION ${t.write}(deliveries jsonb, attempts jsonb, lease_ms double precision, retry boolean)
    RETURNS TABLE (claimed_provider text, claimed_id text) LANGUAGE plpgsql
    -- A statement naming an event's day, planned once and pruned to that day as it runs: a plan made
    -- for each day's value would be made again for every attempt (about 50 µs with 35 days). Every
    -- statement finds its rows by key: a plan made once while the tables were still empty must not
    -- scan them whole for as long as it is kept (4,000 deliveries into a new journal read 7 million rows).
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
    #variable_conflict use_column
    DECLARE
      a record;
      day timestamptz;
    BEGIN
      RETURN QUERY
        WITH batch AS (
          SELECT * FROM jsonb_to_recordset(deliveries)
            AS x(provider text, tenant text, body_sha256 text, received_at timestamptz, method text, url text, headers jsonb, body text, events jsonb, write_key text)),
        -- Each event once: copies in one batch are filed under the first to arrive.
        wanted AS (
          SELECT DISTINCT ON (b.provider, x.delivery_id) b.provider, b.body_sha256, b.received_at, b.write_key, x.delivery_id, x.tenant, x.name, x.signed_at, x.record_ids
          FROM batch b, jsonb_to_recordset(b.events) AS x(delivery_id text, tenant text, name text, signed_at timestamptz, record_ids text[])
          ORDER BY b.provider, x.delivery_id, b.received_at, b.body_sha256),
        claimed AS (
          INSERT INTO ${t.claims} AS c (provider, delivery_id, received_at, write_key)
          SELECT provider, delivery_id, received_at, write_key FROM wanted
          ON CONFLICT (provider, delivery_id) DO NOTHING
          RETURNING c.provider, c.delivery_id),
        fresh AS (SELECT w.* FROM wanted w JOIN claimed c ON c.provider = w.provider AND c.delivery_id = w.delivery_id),
        kept AS (
          INSERT INTO ${t.deliveries} AS d (provider, tenant, body_sha256, received_at, method, url, headers, body)
          SELECT provider, tenant, body_sha256, received_at, method, url, headers, decode(body, 'base64') FROM batch b
          WHERE EXISTS (SELECT 1 FROM fresh f WHERE f.provider = b.provider AND f.body_sha256 = b.body_sha256)
          RETURNING d.id, d.provider, d.body_sha256),
        inserted AS (
          INSERT INTO ${t.events} AS e (provider, tenant, delivery_id, delivery, name, state, lease_until, received_at, signed_at, updated_at, record_ids)
          SELECT f.provider, f.tenant, f.delivery_id, kept.id, f.name, 'running', clock_timestamp() + lease_ms * interval '1 millisecond',
            f.received_at, f.signed_at, f.received_at, f.record_ids
          FROM fresh f JOIN kept ON kept.provider = f.provider AND kept.body_sha256 = f.body_sha256
          RETURNING e.provider, e.delivery_id)
        SELECT * FROM inserted
        UNION ALL
        -- This snapshot does not see the claims just inserted: these are the first try's.
        SELECT c.provider, c.delivery_id FROM wanted w JOIN ${t.claims} c ON c.provider = w.provider AND c.delivery_id = w.delivery_id
        WHERE retry AND c.write_key = w.write_key;
      FOR a IN SELECT * FROM jsonb_to_recordset(attempts)
        AS x(provider text, tenant text, delivery_id text, result text, status integer, code text, message text, duration_ms real, replay boolean, write_key text)
      LOOP
        day := (SELECT c.received_at FROM ${t.claims} c WHERE c.provider = a.provider AND c.delivery_id = a.delivery_id);
        -- An event the journal does not keep (pruned, or never recorded) has nowhere to show an attempt.
        CONTINUE WHEN day IS NULL;
        CONTINUE WHEN retry AND EXISTS (
          SELECT 1 FROM ${t.attempts} WHERE provider = a.provider AND delivery_id = a.delivery_id AND received_at = day AND write_key = a.write_key);
        INSERT INTO ${t.attempts} (provider, tenant, delivery_id, received_at, at, result, status, code, message, duration_ms, replay, write_key)
        VALUES (a.provider, a.tenant, a.delivery_id, day, now(), a.result, a.status, a.code, a.message, a.duration_ms, a.replay, a.write_key);
        UPDATE ${t.events} e SET
          state = CASE a.result
            WHEN 'handled' THEN 'handled'
            WHEN 'failed' THEN 'failed'
            WHEN 'parked' THEN 'dead'
            -- a worker may finish the job before the receiver notes that it queued it
            WHEN 'queued' THEN CASE WHEN e.state IN ('handled', 'dead') THEN e.state ELSE 'queued' END
            -- handled before (another store said so): new to the journal only
            WHEN 'duplicate' THEN CASE WHEN e.state = 'running' THEN 'handled' ELSE e.state END
            ELSE e.state END,
          attempts = e.attempts + 1,
          -- A run that answered nothing (a replay, a worker's job) and succeeded leaves no answer standing.
          last_status = CASE WHEN a.status IS NOT NULL THEN a.status WHEN a.result IN ('handled', 'queued', 'parked') THEN NULL ELSE e.last_status END,
          last_code = a.code,
          last_message = a.message,
          updated_at = now()
        WHERE e.provider = a.provider AND e.delivery_id = a.delivery_id AND e.received_at = day;
      END LOOP;
    END $fn$;`;
}

/** One write of the journal: a delivery that arrived, or how attempts at events ended; `key` names it across retries. */
export type JournalWrite = ({ readonly delivery: ArrivedDelivery } | { readonly attempts: readonly DeliveryAttempt[] }) & { readonly key: string };

/** The statements that write the journal, each one round trip, with their parameters. Their text is built once. */
export function journalWrites(t: JournalTables, keepBodies: boolean, leaseMs: number) {
  const write = `SELECT claimed_provider, claimed_id FROM ${t.write}($1::jsonb, $2::jsonb, $3, $4)`;
  const park = `SELECT ${t.park}($1, $2, $3, $4, $5, $6, $7)`;
  return {
    /** An event handed to a queue: queued, unless a run already ended it (handled or parked). */
    markQueued: `SELECT ${t.change}($1, $2, 'queued', 0)`,

    /**
     * A batch of writes as one call. Copies of one body are sent once (Postgres refuses to
     * update a row twice in one statement). Each delivery's answer is the ids of the events it
     * claimed: an event is claimed by the first delivery of the batch that carries it.
     */
    async write(db: Database, writes: readonly JournalWrite[], retry: boolean): Promise<(readonly string[] | undefined)[]> {
      const deliveries = new Map<string, object>();
      const attempts: ReturnType<typeof attemptRow>[] = [];
      for (const entry of writes) {
        if ('attempts' in entry) {
          entry.attempts.forEach((attempt, index) => attempts.push(attemptRow(attempt, `${entry.key}:${index}`)));
        } else {
          const digest = createHash('sha256').update(entry.delivery.body).digest('hex');
          const key = `${entry.delivery.provider}\n${digest}`;
          if (!deliveries.has(key)) deliveries.set(key, deliveryRow(entry.delivery, digest, keepBodies, entry.key));
        }
      }
      // Two batches may be out at once: each locks the events it notes in one order (by key), so neither waits on the other for a lock it holds.
      attempts.sort(compareKeys);
      const params = [JSON.stringify([...deliveries.values()]), JSON.stringify(attempts), leaseMs, retry];
      const { rows } = await db.query<{ claimed_provider: string; claimed_id: string }>(write, params);
      const inserted = new Set(rows.map((row) => `${row.claimed_provider}\n${row.claimed_id}`));
      return writes.map((entry) => {
        if ('attempts' in entry) return undefined;
        const { provider, events } = entry.delivery;
        return events.map((event) => event.deliveryId).filter((id) => inserted.delete(`${provider}\n${id}`));
      });
    },

    /** A parked event: dead, with the error that parked it. */
    park(provider: string, deliveryId: string, code: string, message: string): [string, unknown[]] {
      return [park, [provider, null, deliveryId, null, code, message, false]];
    },

    /**
     * A signed event no store can key (its id, name or tenant holds a control character or is too
     * long), never recorded: kept as `dead` under a stand-in id (`unstorable:` and a hash of the
     * real one, so copies land on the same row); the error's message shows the real one, escaped.
     */
    parkUnstorable(event: QueuedEvent, code: string, message: string): [string, unknown[]] {
      const standIn = (text: string) => `unstorable:${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
      const keyable = (text: string) => (isStorableKey(text) ? text : standIn(text));
      return [
        park,
        [event.provider, event.tenant === undefined ? null : keyable(event.tenant), keyable(event.deliveryId), keyable(event.name), code, message.replaceAll('\u0000', '\\u0000'), true],
      ];
    },
  };
}

function deliveryRow(delivery: ArrivedDelivery, digest: string, keepBodies: boolean, writeKey: string) {
  return {
    write_key: writeKey,
    provider: delivery.provider,
    tenant: delivery.tenant ?? null,
    body_sha256: digest,
    received_at: new Date(delivery.receivedAt).toISOString(),
    method: delivery.method ?? null,
    url: delivery.url ?? null,
    headers: delivery.headers,
    body: keepBodies ? Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength).toString('base64') : null,
    events: delivery.events.map((event) => ({
      delivery_id: event.deliveryId,
      tenant: event.tenant ?? null,
      name: event.name,
      signed_at: event.signedAt === undefined ? null : new Date(event.signedAt).toISOString(),
      record_ids: event.recordIds,
    })),
  };
}

/** Orders attempts by their event's key; attempts at one event keep their order (the sort is stable). */
function compareKeys(a: { provider: string; delivery_id: string }, b: { provider: string; delivery_id: string }): number {
  return a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.delivery_id < b.delivery_id ? -1 : a.delivery_id > b.delivery_id ? 1 : 0;
}

function attemptRow(attempt: DeliveryAttempt, writeKey: string) {
  return {
    write_key: writeKey,
    provider: attempt.provider,
    tenant: attempt.tenant ?? null,
    delivery_id: attempt.deliveryId,
    result: attempt.result,
    status: attempt.status ?? null,
    code: attempt.error?.code ?? null,
    message: attempt.error?.message ?? null,
    duration_ms: attempt.durationMs,
    replay: attempt.replay,
  };
}
