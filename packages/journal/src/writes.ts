import { isStorableKey, type ArrivedDelivery, type DeliveryAttempt, type QueuedEvent } from '@crmhooks/core';
import { createHash } from 'node:crypto';
import type { Database } from '@crmhooks/postgres';
import type { JournalTables } from './tables.js';

/**
 * Writes a batch in one call: the deliveries (once per body: a retry finds its row) and their
 * events, then the attempts. A new event is inserted claimed (`running`, leased) and returned:
 * when the journal is the store, that saves the claim's round trip; a retry's events exist
 * already and return nothing. Attempts are noted one event at a time by its primary key: a
 * single UPDATE joined to the attempts' rows gets a plan that scans the whole events table
 * (the planner guesses 100 rows for jsonb_to_recordset).
 *
 * Each write carries a key. A `retry` (the first try failed, perhaps only its answer was lost)
 * also answers the events inserted under its key before, and skips attempts noted under it.
 */
export function writeFunction(t: JournalTables): string {
  return `
    CREATE OR REPLACE FUNCTION ${t.write}(deliveries jsonb, attempts jsonb, lease_ms double precision, retry boolean)
    RETURNS TABLE (claimed_provider text, claimed_id text) LANGUAGE plpgsql AS $fn$
    #variable_conflict use_column
    DECLARE a record;
    BEGIN
      RETURN QUERY
        WITH batch AS (
          SELECT * FROM jsonb_to_recordset(deliveries)
            AS x(provider text, tenant text, body_sha256 text, received_at timestamptz, method text, url text, headers jsonb, body text, events jsonb, write_key text)),
        kept AS (
          INSERT INTO ${t.deliveries} AS d (provider, tenant, body_sha256, received_at, method, url, headers, body)
          SELECT provider, tenant, body_sha256, received_at, method, url, headers, decode(body, 'base64') FROM batch
          ON CONFLICT (provider, body_sha256) DO UPDATE SET provider = d.provider
          RETURNING d.id, d.provider, d.body_sha256),
        inserted AS (
          INSERT INTO ${t.events} AS e (provider, tenant, delivery_id, delivery, name, state, lease_until, received_at, signed_at, updated_at, record_ids, write_key)
          SELECT b.provider, x.tenant, x.delivery_id, kept.id, x.name, 'running', clock_timestamp() + lease_ms * interval '1 millisecond',
            b.received_at, x.signed_at, b.received_at, x.record_ids, b.write_key
          FROM batch b JOIN kept ON kept.provider = b.provider AND kept.body_sha256 = b.body_sha256,
            jsonb_to_recordset(b.events) AS x(delivery_id text, tenant text, name text, signed_at timestamptz, record_ids text[])
          ON CONFLICT (provider, delivery_id) DO NOTHING
          RETURNING e.provider, e.delivery_id)
        SELECT * FROM inserted
        UNION ALL
        -- This snapshot does not see the rows just inserted: these are the first try's.
        SELECT e.provider, e.delivery_id
        FROM batch b, jsonb_to_recordset(b.events) AS x(delivery_id text), ${t.events} e
        WHERE retry AND e.provider = b.provider AND e.delivery_id = x.delivery_id AND e.write_key = b.write_key;
      FOR a IN SELECT * FROM jsonb_to_recordset(attempts)
        AS x(provider text, tenant text, delivery_id text, result text, status integer, code text, message text, duration_ms real, replay boolean, write_key text)
      LOOP
        CONTINUE WHEN retry AND EXISTS (
          SELECT 1 FROM ${t.attempts} WHERE provider = a.provider AND delivery_id = a.delivery_id AND write_key = a.write_key);
        INSERT INTO ${t.attempts} (provider, tenant, delivery_id, at, result, status, code, message, duration_ms, replay, write_key)
        VALUES (a.provider, a.tenant, a.delivery_id, now(), a.result, a.status, a.code, a.message, a.duration_ms, a.replay, a.write_key);
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
        WHERE e.provider = a.provider AND e.delivery_id = a.delivery_id;
      END LOOP;
    END $fn$;`;
}

/** One write of the journal: a delivery that arrived, or how attempts at events ended; `key` names it across retries. */
export type JournalWrite = ({ readonly delivery: ArrivedDelivery } | { readonly attempts: readonly DeliveryAttempt[] }) & { readonly key: string };

/** The statements that write the journal, each one round trip, with their parameters. Their text is built once. */
export function journalWrites(t: JournalTables, keepBodies: boolean, leaseMs: number) {
  const write = `SELECT claimed_provider, claimed_id FROM ${t.write}($1::jsonb, $2::jsonb, $3, $4)`;
  const park = `
    UPDATE ${t.events} SET state = 'dead', lease_until = NULL, last_code = $3, last_message = $4, updated_at = now()
    WHERE provider = $1 AND delivery_id = $2`;
  const parkUnstorable = `
    INSERT INTO ${t.events} AS e (provider, tenant, delivery_id, name, state, received_at, updated_at, last_code, last_message)
    VALUES ($1, $2, $3, $4, 'dead', now(), now(), $5, $6)
    ON CONFLICT (provider, delivery_id) DO UPDATE SET state = 'dead', last_code = $5, last_message = $6, updated_at = now()`;
  return {
    /** An event handed to a queue: queued, unless a run already ended it (handled or parked). */
    markQueued: `
      UPDATE ${t.events} SET state = CASE WHEN state IN ('handled', 'dead') THEN state ELSE 'queued' END, lease_until = NULL, updated_at = now()
      WHERE provider = $1 AND delivery_id = $2`,

    /**
     * A batch of writes as one call. Copies of one body are sent once (Postgres refuses to
     * update a row twice in one statement). Each delivery's answer is the ids of the events it
     * claimed: an event is claimed by the first delivery of the batch that carries it.
     */
    async write(db: Database, writes: readonly JournalWrite[], retry: boolean): Promise<(readonly string[] | undefined)[]> {
      const deliveries = new Map<string, object>();
      const attempts: object[] = [];
      for (const entry of writes) {
        if ('attempts' in entry) {
          entry.attempts.forEach((attempt, index) => attempts.push(attemptRow(attempt, `${entry.key}:${index}`)));
        } else {
          const digest = createHash('sha256').update(entry.delivery.body).digest('hex');
          const key = `${entry.delivery.provider}\n${digest}`;
          if (!deliveries.has(key)) deliveries.set(key, deliveryRow(entry.delivery, digest, keepBodies, entry.key));
        }
      }
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
      return [park, [provider, deliveryId, code, message]];
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
        parkUnstorable,
        [event.provider, event.tenant === undefined ? null : keyable(event.tenant), keyable(event.deliveryId), keyable(event.name), code, message.replaceAll('\u0000', '\\u0000')],
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
