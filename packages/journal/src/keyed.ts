import type { JournalTables } from './tables.js';

/**
 * Functions that find an event by its id and change it: its claim gives the day it is filed
 * under, so each statement on the events table names its partition (one statement that looked
 * the day up itself would be planned over every partition). Each statement is planned once and
 * pruned to its day as it runs, by key (see writeFunction). One round trip each.
 */
export function keyedFunctions(t: JournalTables): string {
  const lease = `clock_timestamp() + lease_ms * interval '1 millisecond'`;
  const key = `e.provider = p AND e.delivery_id = id AND e.received_at = day`;
  // The day an event is filed under is kept to the millisecond, as a receiver's clock gives it:
  // it travels through JavaScript Dates, and must name the same day when it comes back.
  const arrived = `date_trunc('milliseconds', now())`;
  return `
    -- The store's claim: 'claimed', or the state that refused it. Failed events and lapsed leases
    -- can be claimed; handled, queued, dead and leased ones cannot. A replay takes any event but a
    -- leased one. An event whose day was dropped (its claim outlived it by moments) is claimed afresh.
    CREATE OR REPLACE FUNCTION ${t.claim}(p text, id text, lease_ms double precision, replay boolean) RETURNS text LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
    DECLARE
      day timestamptz;
      was text;
    BEGIN
      INSERT INTO ${t.claims} (provider, delivery_id, received_at) VALUES (p, id, ${arrived})
        ON CONFLICT (provider, delivery_id) DO NOTHING RETURNING received_at INTO day;
      IF FOUND THEN
        INSERT INTO ${t.events} (provider, delivery_id, name, state, lease_until, received_at, updated_at) VALUES (p, id, '', 'running', ${lease}, day, now());
        RETURN 'claimed';
      END IF;
      day := (SELECT c.received_at FROM ${t.claims} c WHERE c.provider = p AND c.delivery_id = id);
      SELECT e.state INTO was FROM ${t.events} e WHERE ${key} FOR UPDATE;
      IF NOT FOUND THEN
        DELETE FROM ${t.claims} c WHERE c.provider = p AND c.delivery_id = id AND c.received_at = day;
        RETURN ${t.claim}(p, id, lease_ms, replay);
      END IF;
      UPDATE ${t.events} e SET state = 'running', lease_until = ${lease}, updated_at = now()
      WHERE ${key} AND CASE WHEN replay THEN e.state <> 'running' OR e.lease_until <= clock_timestamp()
        ELSE e.state IN ('received', 'failed') OR (e.state = 'running' AND e.lease_until <= clock_timestamp()) END;
      RETURN CASE WHEN FOUND THEN 'claimed' ELSE was END;
    END $fn$;

    -- A change of one event: renew (its live lease), handled, handed (to a queue by the store: queued
    -- unless a worker's attempt set the state first), released (failed), queued (by a queue: unless a
    -- run already ended it). Whether it applied.
    CREATE OR REPLACE FUNCTION ${t.change}(p text, id text, change text, lease_ms double precision) RETURNS boolean LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
    DECLARE day timestamptz := (SELECT c.received_at FROM ${t.claims} c WHERE c.provider = p AND c.delivery_id = id);
    BEGIN
      CASE change
        WHEN 'renew' THEN
          UPDATE ${t.events} e SET lease_until = ${lease} WHERE ${key} AND e.state = 'running' AND e.lease_until > clock_timestamp();
        WHEN 'handled' THEN
          UPDATE ${t.events} e SET state = 'handled', lease_until = NULL, updated_at = now() WHERE ${key};
        WHEN 'handed' THEN
          UPDATE ${t.events} e SET state = CASE WHEN e.state = 'running' THEN 'queued' ELSE e.state END, lease_until = NULL, updated_at = now() WHERE ${key};
        WHEN 'released' THEN
          UPDATE ${t.events} e SET state = 'failed', lease_until = NULL, updated_at = now() WHERE ${key} AND e.state = 'running';
        WHEN 'queued' THEN
          UPDATE ${t.events} e SET state = CASE WHEN e.state IN ('handled', 'dead') THEN e.state ELSE 'queued' END, lease_until = NULL, updated_at = now() WHERE ${key};
      END CASE;
      RETURN FOUND;
    END $fn$;

    -- A parked event: dead, with the error that parked it. With add_missing, one the journal does
    -- not have (a signed event no store could key, under a stand-in id) is added as dead.
    CREATE OR REPLACE FUNCTION ${t.park}(p text, event_tenant text, id text, event_name text, code text, message text, add_missing boolean)
    RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
    DECLARE day timestamptz := (SELECT c.received_at FROM ${t.claims} c WHERE c.provider = p AND c.delivery_id = id);
    BEGIN
      UPDATE ${t.events} e SET state = 'dead', lease_until = NULL, last_code = code, last_message = message, updated_at = now() WHERE ${key};
      IF NOT FOUND AND add_missing THEN
        DELETE FROM ${t.claims} c WHERE c.provider = p AND c.delivery_id = id;
        INSERT INTO ${t.claims} (provider, delivery_id, received_at) VALUES (p, id, ${arrived}) RETURNING received_at INTO day;
        INSERT INTO ${t.events} (provider, tenant, delivery_id, name, state, received_at, updated_at, last_code, last_message)
        VALUES (p, event_tenant, id, event_name, 'dead', day, now(), code, message);
      END IF;
    END $fn$;`;
}
