import type { JournalTables } from './tables.js';

/**
 * The writer of versions 2 to 7 (unpartitioned tables), as those releases created it: a journal
 * made from scratch passes through it on its way to version 8, which replaces it.
 *
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
export function writerOfVersion7(t: JournalTables): string {
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
