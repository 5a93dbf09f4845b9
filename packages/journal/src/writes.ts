import type { ArrivedDelivery, DeliveryAttempt } from '@crmhooks/core';
import { createHash } from 'node:crypto';
import type { JournalTables } from './tables.js';

/**
 * Notes attempts, one event at a time by its primary key. A single UPDATE joined to the
 * attempts' rows gets a plan that scans the whole events table (the planner guesses 100 rows
 * for jsonb_to_recordset): 1.3 ms a delivery on a small table, worse as it grows.
 */
export function noteAttemptsFunction(t: JournalTables): string {
  return `
    CREATE OR REPLACE FUNCTION ${t.noteAttempts}(attempts jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
    DECLARE a record;
    BEGIN
      FOR a IN SELECT * FROM jsonb_to_recordset(attempts)
        AS x(provider text, delivery_id text, result text, status integer, code text, message text, duration_ms real, replay boolean)
      LOOP
        INSERT INTO ${t.attempts} (provider, delivery_id, at, result, status, code, message, duration_ms, replay)
        VALUES (a.provider, a.delivery_id, now(), a.result, a.status, a.code, a.message, a.duration_ms, a.replay);
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
          last_status = COALESCE(a.status, e.last_status),
          last_code = a.code,
          last_message = a.message,
          updated_at = now()
        WHERE e.provider = a.provider AND e.delivery_id = a.delivery_id;
      END LOOP;
    END $fn$;`;
}

/** The statements that write the journal, each one round trip, with their parameters. Their text is built once. */
export function journalWrites(t: JournalTables, keepBodies: boolean, leaseMs: number) {
  // A new event is inserted claimed (`running`, leased) and returned: when the journal is the store,
  // that saves the claim's round trip. A retry's events exist already and return nothing.
  const record = `
    WITH kept AS (
      INSERT INTO ${t.deliveries} AS d (provider, body_sha256, received_at, method, url, headers, body)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (provider, body_sha256) DO UPDATE SET provider = d.provider
      RETURNING id)
    INSERT INTO ${t.events} (provider, delivery_id, delivery, name, state, lease_until, received_at, signed_at, updated_at, record_ids)
    SELECT $1, x.delivery_id, kept.id, x.name, 'running', clock_timestamp() + $9 * interval '1 millisecond', $3, x.signed_at, $3, x.record_ids
    FROM kept, jsonb_to_recordset($8::jsonb) AS x(delivery_id text, name text, signed_at timestamptz, record_ids text[])
    ON CONFLICT (provider, delivery_id) DO NOTHING
    RETURNING delivery_id`;
  const attempted = `SELECT ${t.noteAttempts}($1::jsonb)`;
  const park = `
    UPDATE ${t.events} SET state = 'dead', lease_until = NULL, last_code = $3, last_message = $4, updated_at = now()
    WHERE provider = $1 AND delivery_id = $2`;
  return {
    /** The delivery (once per body: a retry finds its row) and its events (once per id). */
    record(delivery: ArrivedDelivery): [string, unknown[]] {
      const events = delivery.events.map((event) => ({
        delivery_id: event.deliveryId,
        name: event.name,
        signed_at: event.signedAt === undefined ? null : new Date(event.signedAt).toISOString(),
        record_ids: event.recordIds,
      }));
      return [
        record,
        [
          delivery.provider,
          createHash('sha256').update(delivery.body).digest('hex'),
          new Date(delivery.receivedAt),
          delivery.method ?? null,
          delivery.url ?? null,
          JSON.stringify(delivery.headers),
          keepBodies ? Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength) : null,
          JSON.stringify(events),
          leaseMs,
        ],
      ];
    },

    /** Each attempt, and its event's state, count and last answer. */
    attempted(attempts: readonly DeliveryAttempt[]): [string, unknown[]] {
      const rows = attempts.map((attempt) => ({
        provider: attempt.provider,
        delivery_id: attempt.deliveryId,
        result: attempt.result,
        status: attempt.status ?? null,
        code: attempt.error?.code ?? null,
        message: attempt.error?.message ?? null,
        duration_ms: attempt.durationMs,
        replay: attempt.replay,
      }));
      return [attempted, [JSON.stringify(rows)]];
    },

    /** A parked event: dead, with the error that parked it. */
    park(provider: string, deliveryId: string, code: string, message: string): [string, unknown[]] {
      return [park, [provider, deliveryId, code, message]];
    },
  };
}
