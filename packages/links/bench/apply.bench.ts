/**
 * Association events applied per second by the link mirror, against a hand-written
 * `INSERT ... ON CONFLICT` upsert of the same rows (last write by event time wins, whole row),
 * same events, same database, same run: on embedded PGlite (one at a time: one connection)
 * and on a local Postgres server (8 at a time through a pool). The hand-written upsert is sent
 * as most code sends it, `pool.query(text, values)`; on Postgres a copy prepared once per
 * connection (named) is shown too. Two copies of the plain upsert run as separate tasks: how
 * far they read apart is the run's noise.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { AssociationEvent } from '@crmhooks/core';
import { createLinkMirror, pglite, postgres, type Database } from '@crmhooks/links';
import { median } from '../../../bench/support/median.js';
import { postgresAvailable, startPostgres } from '../../../test/support/postgres-server.js';

const EVENTS = 2_000;
const LINKS_PER_ROUND = 500;
const ROUNDS = 20;

/** A round's events: each link created, then updated or deleted, some delivered twice, shuffled. */
function eventsFor(round: number): AssociationEvent[] {
  const events: AssociationEvent[] = [];
  for (let index = 0; events.length < EVENTS; index += 1) {
    const link = index % LINKS_PER_ROUND;
    const step = Math.floor(index / LINKS_PER_ROUND);
    const action = step === 0 ? 'created' : index % 7 === 0 ? 'deleted' : 'updated';
    const event: AssociationEvent = {
      action,
      level: 'record',
      provider: 'hubspot',
      id: `r${round}-l${link}`,
      definitionId: 'CONTACT_TO_COMPANY',
      from: { objectType: 'contact', recordId: String(1_000 + link) },
      to: { objectType: 'company', recordId: String(5_000 + ((link + step) % 50)) },
      occurredAt: new Date(Date.UTC(2026, 10, 1) + round * 1e6 + step * 1e3 + link).toISOString(),
      deliveryId: `d-${round}-${index}`,
      native: { name: 'hubspot.contact.associationChange', payload: {} },
    };
    events.push(event);
    if (index % 5 === 0) events.push(event);
  }
  // Shuffled with a fixed seed: the same order for every task of the round.
  let seed = round + 1;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let index = events.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [events[index], events[other]] = [events[other]!, events[index]!];
  }
  return events.slice(0, EVENTS);
}

/** The upsert a developer would write by hand: the newer event time overwrites the whole row. */
/** How a hand-written upsert is sent: the SQL text and its values. */
type Send = (sql: string, values: unknown[]) => Promise<unknown>;

async function handWritten(db: Database, table: string, send: Send): Promise<(event: AssociationEvent) => Promise<unknown>> {
  await db.exec(`
    CREATE TABLE ${table} (provider text NOT NULL, link_id text NOT NULL, definition_id text,
      from_type text, from_table integer, from_id text, to_type text, to_table integer, to_id text,
      created_at timestamptz, updated_at timestamptz NOT NULL, deleted_at timestamptz, PRIMARY KEY (provider, link_id));
    CREATE INDEX ON ${table} (provider, from_id);
    CREATE INDEX ON ${table} (provider, to_id);`);
  const sql = `INSERT INTO ${table} AS stored VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (provider, link_id) DO UPDATE SET definition_id = EXCLUDED.definition_id,
      from_type = EXCLUDED.from_type, from_table = EXCLUDED.from_table, from_id = EXCLUDED.from_id,
      to_type = EXCLUDED.to_type, to_table = EXCLUDED.to_table, to_id = EXCLUDED.to_id,
      created_at = COALESCE(stored.created_at, EXCLUDED.created_at), updated_at = EXCLUDED.updated_at, deleted_at = EXCLUDED.deleted_at
    WHERE EXCLUDED.updated_at >= stored.updated_at
    RETURNING *`;
  return (event) => {
    const time = event.occurredAt!;
    return send(sql, [
      event.provider, event.id, event.definitionId,
      event.from.objectType, event.from.table ?? null, event.from.recordId, event.to.objectType, event.to.table ?? null, event.to.recordId,
      event.action === 'created' ? time : null, time, event.action === 'deleted' ? time : null,
    ]);
  };
}

async function rate(apply: (event: AssociationEvent) => Promise<unknown>, events: readonly AssociationEvent[], inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < events.length) await apply(events[next++]!);
  }));
  return events.length / ((performance.now() - started) / 1000);
}

/** A database and the ways a hand-written upsert is sent to it. */
interface Target {
  readonly name: string;
  readonly db: Database;
  readonly inFlight: number;
  readonly send: Send;
  /** The same upsert prepared once per connection, where the driver can. */
  readonly sendPrepared?: Send;
}

async function measure({ name, db, inFlight, send, sendPrepared }: Target) {
  const mirror = createLinkMirror({ database: db, tablePrefix: 'bench_' });
  const tasks: Record<string, (event: AssociationEvent) => Promise<unknown>> = {
    mirror: (event) => mirror.apply(event),
    handA: await handWritten(db, 'hand_a', send),
    handB: await handWritten(db, 'hand_b', send),
    ...(sendPrepared && { prepared: await handWritten(db, 'hand_prepared', sendPrepared) }),
  };
  await mirror.ready();
  const names = Object.keys(tasks);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((task) => [task, []]));
  await rate(tasks.mirror!, eventsFor(-1), inFlight); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    const events = eventsFor(round);
    // A fresh order of the tasks each round, so none always follows another's writes.
    for (const task of names.map((_, index) => names[(index + round) % names.length]!)) rates[task]!.push(await rate(tasks[task]!, events, inFlight));
  }
  const ratio = (task: string) => median(rates[task]!.map((value, round) => value / rates.handA![round]!));
  return {
    name,
    inFlight,
    mirror: median(rates.mirror!),
    hand: median(rates.handA!),
    ratio: ratio('mirror'),
    noise: ratio('handB'),
    prepared: rates.prepared && { rate: median(rates.prepared), mirrorRatio: median(rates.mirror!.map((value, round) => value / rates.prepared![round]!)) },
  };
}

const results = [];
const embedded = await PGlite.create();
results.push(await measure({ name: 'PGlite (in memory)', db: pglite(embedded), inFlight: 1, send: (sql, values) => embedded.query(sql, values) }));
await embedded.close();
if (postgresAvailable()) {
  const server = await startPostgres();
  const pool = new pg.Pool({ connectionString: server.url, max: 8 });
  results.push(
    await measure({
      name: `Postgres ${(await pool.query('SHOW server_version')).rows[0].server_version} (local server, pg Pool)`,
      db: postgres(pool),
      inFlight: 8,
      send: (sql, values) => pool.query(sql, values),
      sendPrepared: (sql, values) => pool.query({ name: 'hand_written_upsert', text: sql, values }),
    }),
  );
  await pool.end();
  await server.stop();
}

console.log(`\n${EVENTS.toLocaleString('en-US')} events per round (${LINKS_PER_ROUND} links: creates, updates, deletes, a fifth delivered twice, shuffled), ${ROUNDS} rounds, medians of per-round values; Node ${process.version}\n`);
console.log('| database | in flight | hand-written upsert, events/s | link mirror, events/s | mirror vs hand-written | noise check (hand-written vs itself) | target >= 0.8x |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const result of results) {
  const verdict = result.ratio >= 0.8 ? 'met' : 'MISSED';
  console.log(`| ${result.name} | ${result.inFlight} | ${Math.round(result.hand).toLocaleString('en-US')} | ${Math.round(result.mirror).toLocaleString('en-US')} | ${result.ratio.toFixed(3)}x | ${result.noise.toFixed(3)}x | ${verdict} |`);
}
for (const result of results) {
  if (!result.prepared) continue;
  console.log(
    `\n${result.name}: the hand-written upsert prepared once per connection (pg \`name\`, as the mirror sends its statements) ` +
      `applies ${Math.round(result.prepared.rate).toLocaleString('en-US')} events/s; the mirror is ${result.prepared.mirrorRatio.toFixed(3)}x of that.`,
  );
}
