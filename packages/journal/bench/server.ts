/**
 * A bench server in its own process: `node server.js <variant>`, SuperOffice deliveries on node:http:
 * - `insert`: hand-written: verify the HMAC, JSON.parse, one INSERT ... ON CONFLICT DO NOTHING of the body;
 * - `webhook-events`: the table teams write by hand for the same job: verify, JSON.parse, INSERT the event with
 *   its body ON CONFLICT DO NOTHING (the duplicate check: a copy is answered 200 at once), the handler, then an
 *   UPDATE of its status;
 * - `journal`: crmhooks with the journal on Postgres as journal, idempotency store and dead-letter sink
 *   (BENCH_JOURNAL_MODULE: another build of it; BENCH_TABLE_PREFIX: tables of its own);
 * - `journal-redis`: the same receiver and journal, with the Redis idempotency store instead;
 * - `redis`: crmhooks with the Redis idempotency store, no journal.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { createClient } from 'redis';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { createJournal, postgres } from '@crmhooks/journal';
import { RedisIdempotencyStore } from '@crmhooks/redis';
import { announce } from '../../../bench/support/bench-server.js';
import { verifyByHand } from '../../../bench/support/bare-verify.js';

const [variant] = process.argv.slice(2);
const secret = process.env.BENCH_SECRET ?? '';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
let sink: unknown;
/** What the process waits for when it is told to stop: a receiver's attempts still being noted in its journal. */
let close = async () => {};

/** A hand-written endpoint: read the body, verify it by hand, `store` it, answer 200 (401 when forged). */
function handWritten(store: (payload: { EventId: string; FieldValues?: unknown }, body: string) => Promise<void>) {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      const payload = verifyByHand('superoffice', request.headers, body) as { EventId: string; FieldValues?: unknown } | undefined;
      if (payload === undefined) return void response.writeHead(401).end();
      await store(payload, body.toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
}

if (variant === 'insert') {
  await pool.query('CREATE TABLE IF NOT EXISTS inserted_deliveries (provider text, event_id text, body jsonb, received_at timestamptz, PRIMARY KEY (provider, event_id))');
  announce(
    handWritten(async (payload, body) => {
      await pool.query('INSERT INTO inserted_deliveries VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING', ['superoffice', payload.EventId, body]);
      sink = payload;
    }),
  );
} else if (variant === 'webhook-events') {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS webhook_events (provider text, event_id text, status text NOT NULL, body text NOT NULL,
       received_at timestamptz NOT NULL, handled_at timestamptz, PRIMARY KEY (provider, event_id))`,
  );
  announce(
    handWritten(async (payload, body) => {
      const inserted = await pool.query("INSERT INTO webhook_events VALUES ($1, $2, 'received', $3, now()) ON CONFLICT DO NOTHING RETURNING 1", [
        'superoffice',
        payload.EventId,
        body,
      ]);
      if (inserted.rows.length === 0) return; // a copy: handled before
      sink = payload.FieldValues; // the handler
      await pool.query("UPDATE webhook_events SET status = 'handled', handled_at = now() WHERE provider = $1 AND event_id = $2", ['superoffice', payload.EventId]);
    }),
  );
} else {
  const providers = [superoffice({ secret })];
  let options;
  const redisStore = async () => {
    const client = createClient({ url: process.env.REDIS_URL });
    await client.connect();
    return new RedisIdempotencyStore({ client });
  };
  if (variant === 'redis') {
    options = { providers, store: await redisStore() };
  } else {
    // BENCH_JOURNAL_MODULE: another build of the journal (the previous release, as a baseline); BENCH_TABLE_PREFIX: its own tables.
    const module = process.env.BENCH_JOURNAL_MODULE ? ((await import(process.env.BENCH_JOURNAL_MODULE)) as { createJournal: typeof createJournal }) : { createJournal };
    const journal = module.createJournal({ database: postgres(pool), pruneEveryMs: false, ...(process.env.BENCH_TABLE_PREFIX && { tablePrefix: process.env.BENCH_TABLE_PREFIX }) });
    await journal.ready();
    options = { providers, journal, store: variant === 'journal' ? journal.store : await redisStore(), deadLetters: journal };
  }
  const webhooks = createWebhooks(options);
  webhooks.on('superoffice.relation.created', (event) => void (sink = event.FieldValues));
  announce(createServer(createNodeHandler(webhooks)));
  close = async () => {
    await webhooks.close();
    if ('journal' in options) await options.journal.close();
  };
}
export { sink };
// Exits normally, so `--cpu-prof` writes its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void close().finally(() => process.exit(0)));
