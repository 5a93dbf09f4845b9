/**
 * Receive-and-dispatch cost per delivery, against the floor of doing the
 * crypto and JSON.parse by hand, and against @octokit/webhooks. Run with `pnpm bench`.
 *
 * Every task runs in its own process (see support/interleaved.ts), so each pays
 * for its own garbage collection, in short windows taken in turn.
 *
 * Every iteration handles a delivery whose id is not in the store (so claim,
 * dispatch and complete all run, never the duplicate shortcut). Delivery ids
 * are UUIDs, as SuperOffice sends them. The store is bounded below the number
 * of pre-signed deliveries and never cleared: it runs in its steady state,
 * forgetting the oldest ids as new ones arrive, as on a server that has been up
 * for a while.
 *
 * It runs compiled by esbuild, not through a TypeScript loader: a loader slows
 * the measured code itself and skews the ratios.
 */
import { createHmac, createPublicKey, randomUUID, timingSafeEqual, verify } from 'node:crypto';
import { Webhooks as OctokitWebhooks } from '@octokit/webhooks';
import {
  createWebhooks,
  highlevel,
  hubspot,
  MemoryIdempotencyStore,
  superoffice,
  type Delivery,
  type DeliveryReceiver,
  type IdempotencyStore,
} from '@crmhooks/core';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  hubSpotAssociationSample,
  hubSpotDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
} from '@crmhooks/core/testing';
import { measureInterleaved, serveTaskIfWorker, type Measurement, type Operation } from './support/interleaved.js';

const DELIVERIES = 20_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 90);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 50);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const secret = 'bench-superoffice-secret';

let sink: unknown;

interface Prepared {
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  signature: string;
}

const prepare = (delivery: { headers: Readonly<Record<string, string>>; body: string }, signatureHeader: string): Prepared => ({
  headers: { ...delivery.headers },
  body: Buffer.from(delivery.body),
  text: delivery.body,
  signature: delivery.headers[signatureHeader]!,
});

const superOfficeDeliveries = () =>
  Array.from({ length: DELIVERIES }, () =>
    prepare(
      superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: randomUUID() } }),
      'x-superoffice-signature',
    ),
  );

function highLevelDeliveries() {
  const keys = generateHighLevelKeyPair();
  const deliveries = Array.from({ length: DELIVERIES }, () =>
    prepare(
      highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey, webhookId: randomUUID() }),
      'x-ghl-signature',
    ),
  );
  return { keys, deliveries };
}

// HubSpot: batches of 100 association changes, every event with its own id.
const BATCHES = 400;
const hubSpotSecret = 'bench-hubspot-secret';
const hubSpotUrl = 'https://api.example.com/webhooks/crm';
const hubSpotBatches = () =>
  Array.from({ length: BATCHES }, (_, batch) => {
    const events = Array.from({ length: 100 }, (_, index) => hubSpotAssociationSample({ eventId: batch * 100 + index }));
    const delivery = hubSpotDelivery({ secret: hubSpotSecret, url: hubSpotUrl, events });
    return { headers: { ...delivery.headers }, body: Buffer.from(delivery.body), method: 'POST', url: hubSpotUrl };
  });

/** Cycles through the prepared deliveries; an id comes back only after the store has forgotten it. */
function cycle<T>(deliveries: readonly T[]): () => T {
  let index = 0;
  return () => {
    if (index === deliveries.length) index = 0;
    return deliveries[index++]!;
  };
}

/**
 * A task that hands receive()'s promise straight to the harness: an async wrapper of the
 * bench's own would add a microtask per delivery that the floor does not pay. The caller's
 * handler calls `dispatched()`; the harness awaits each delivery before the next, so each
 * call checks that the previous delivery was verified, new and dispatched.
 */
function receiving(receiver: Pick<DeliveryReceiver, 'receive'>, deliveries: readonly Delivery[], eventsPerDelivery = 1) {
  const next = cycle(deliveries);
  let dispatched = 0;
  let expected = 0;
  return {
    dispatched: () => void (dispatched += 1),
    operation: (): Operation => () => {
      if (dispatched !== expected) throw new Error(`expected ${expected} dispatched events, saw ${dispatched}`);
      expected += eventsPerDelivery;
      return receiver.receive(next());
    },
  };
}

/** Claims every id and keeps none: the kit's cost without idempotency, for comparison. */
const noOpStore: IdempotencyStore = { leaseMs: 3000, renew: () => true, claim: () => 'claimed', complete: () => undefined, release: () => undefined };

function highLevelFloor(): Operation {
  const { keys, deliveries } = highLevelDeliveries();
  const publicKey = createPublicKey(keys.publicKey);
  const next = cycle(deliveries);
  return () => {
    const delivery = next();
    if (!verify(null, delivery.body, publicKey, Buffer.from(delivery.signature, 'base64'))) throw new Error('bad signature');
    sink = JSON.parse(delivery.body.toString('utf8'));
  };
}

function highLevelReceiver(store: IdempotencyStore): Operation {
  const { keys, deliveries } = highLevelDeliveries();
  const kit = createWebhooks({ providers: [highlevel({ publicKeys: keys.publicKey })], store });
  const task = receiving(kit, deliveries);
  kit.on('highlevel.RelationCreate', (event) => {
    sink = event.firstRecordId;
    task.dispatched();
  });
  return task.operation();
}

function superOfficeReceiver(store: IdempotencyStore): Operation {
  const kit = createWebhooks({ providers: [superoffice({ secret })], store });
  const task = receiving(kit, superOfficeDeliveries());
  kit.on('superoffice.relation.created', (event) => {
    sink = event.FieldValues;
    task.dispatched();
  });
  return task.operation();
}

const SO_FLOOR_BASE64_TEXT = 'SuperOffice floor, comparing base64 text (as crmhooks did before issue 12)';

const TASKS = {
  'SuperOffice floor: createHmac + timingSafeEqual + JSON.parse': (): Operation => {
    const next = cycle(superOfficeDeliveries());
    return () => {
      const delivery = next();
      const expected = createHmac('sha256', secret).update(delivery.body).digest();
      const given = Buffer.from(delivery.signature, 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
      sink = JSON.parse(delivery.body.toString('utf8'));
    };
  },
  [SO_FLOOR_BASE64_TEXT]: (): Operation => {
    const next = cycle(superOfficeDeliveries());
    return () => {
      const delivery = next();
      const expected = Buffer.from(createHmac('sha256', secret).update(delivery.body).digest('base64'));
      const given = Buffer.from(delivery.signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
      sink = JSON.parse(delivery.body.toString('utf8'));
    };
  },
  'SuperOffice crmhooks receive + dispatch': () => superOfficeReceiver(new MemoryIdempotencyStore({ maxEntries: DELIVERIES / 2 })),
  'SuperOffice crmhooks, no-op idempotency store': () => superOfficeReceiver(noOpStore),
  'SuperOffice body, @octokit/webhooks verifyAndReceive': (): Operation => {
    const next = cycle(
      superOfficeDeliveries().map((delivery) => ({
        ...delivery,
        hexSignature: `sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`,
      })),
    );
    const octokit = new OctokitWebhooks({ secret });
    octokit.on('push', (event) => {
      sink = event.payload;
    });
    return () => {
      const delivery = next();
      return octokit.verifyAndReceive({ id: 'bench', name: 'push', payload: delivery.text, signature: delivery.hexSignature });
    };
  },
  'HighLevel floor: Ed25519 verify + JSON.parse': () => highLevelFloor(),
  // The same code again in processes of its own: how far apart two identical tasks read in this run.
  'HighLevel floor, second copy': () => highLevelFloor(),
  'HighLevel crmhooks receive + dispatch': () => highLevelReceiver(new MemoryIdempotencyStore({ maxEntries: DELIVERIES / 2 })),
  'HighLevel crmhooks, no-op idempotency store': () => highLevelReceiver(noOpStore),
  'HubSpot floor (100-event batch): HMAC + JSON.parse': (): Operation => {
    const next = cycle(hubSpotBatches());
    return () => {
      const delivery = next();
      const timestamp = delivery.headers['x-hubspot-request-timestamp']!;
      const expected = createHmac('sha256', hubSpotSecret).update('POST').update(hubSpotUrl).update(delivery.body).update(timestamp).digest();
      const given = Buffer.from(delivery.headers['x-hubspot-signature-v3']!, 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
      sink = JSON.parse(delivery.body.toString('utf8'));
    };
  },
  'HubSpot crmhooks receive + dispatch (100-event batch)': (): Operation => {
    const kit = createWebhooks({
      providers: [hubspot({ clientSecret: hubSpotSecret })],
      store: new MemoryIdempotencyStore({ maxEntries: (BATCHES * 100) / 2 }),
    });
    const task = receiving(kit, hubSpotBatches(), 100);
    kit.on('hubspot.contact.associationChange', (event) => {
      sink = event.toObjectId;
      task.dispatched();
    });
    return task.operation();
  },
} satisfies Record<string, () => Operation>;

type TaskName = keyof typeof TASKS;

if (!serveTaskIfWorker(TASKS)) {
  const only = process.env.BENCH_ONLY?.toLowerCase();
  const names = (Object.keys(TASKS) as TaskName[]).filter((name) => only === undefined || name.toLowerCase().startsWith(only));
  // Each provider's tasks (named after it) are measured in a phase of their own, so the neighbours
  // of a task's windows are the tasks it is compared with, not another provider's garbage collection.
  const groups = new Map<string, TaskName[]>();
  for (const name of names) {
    const provider = name.split(' ')[0]!;
    const group = groups.get(provider) ?? [];
    group.push(name);
    groups.set(provider, group);
  }
  const measured = new Map<string, Measurement>();
  for (const [group, tasks] of groups) {
    const results = await measureInterleaved(tasks, {
      rounds: ROUNDS,
      windowMs: WINDOW_MS,
      warmupMs: 1000,
      processesPerTask: PROCESSES,
      onRound: (round) => process.stderr.write(`${group}: round ${round}/${ROUNDS}\n`),
    });
    for (const [name, measurement] of results) measured.set(name, measurement);
  }

  interface Row {
    readonly label: string;
    readonly ops: number;
    /** Time per delivery against the floor: median of per-round ratios, and pooled over all windows. */
    readonly ratio: number;
    readonly pooledRatio: number;
    readonly target: string;
  }
  const rows: Row[] = [];
  const row = (label: string, name: TaskName, floor: TaskName, target: (ratio: number, ops: number) => string = () => '') => {
    const task = measured.get(name);
    const base = measured.get(floor);
    if (task === undefined || base === undefined) return;
    const ratio = task.timeRatioTo(base);
    rows.push({ label, ops: task.opsPerSecond, ratio, pooledRatio: task.pooledTimeRatioTo(base), target: target(ratio, task.opsPerSecond) });
  };
  const soFloor = 'SuperOffice floor: createHmac + timingSafeEqual + JSON.parse';
  const soKit = 'SuperOffice crmhooks receive + dispatch';
  row(soFloor, soFloor, soFloor);
  row(SO_FLOOR_BASE64_TEXT, SO_FLOOR_BASE64_TEXT, soFloor);
  row(soKit, soKit, soFloor, (ratio) => `<= 1.15x: ${ratio <= 1.15 ? 'met' : 'MISSED'}`);
  row('SuperOffice crmhooks, no-op idempotency store (for comparison)', 'SuperOffice crmhooks, no-op idempotency store', soFloor);
  row('@octokit/webhooks verifyAndReceive (same body, no idempotency)', 'SuperOffice body, @octokit/webhooks verifyAndReceive', soFloor, () => {
    const kit = measured.get(soKit);
    const octokit = measured.get('SuperOffice body, @octokit/webhooks verifyAndReceive')!;
    return kit === undefined ? '' : `crmhooks faster: ${octokit.timeRatioTo(kit) > 1 ? 'yes' : 'NO'}`;
  });
  const hlFloor = 'HighLevel floor: Ed25519 verify + JSON.parse';
  row(hlFloor, hlFloor, hlFloor);
  row('HighLevel floor again, in processes of its own (noise check: ideally 1.000x)', 'HighLevel floor, second copy', hlFloor);
  row('HighLevel crmhooks receive + dispatch', 'HighLevel crmhooks receive + dispatch', hlFloor, (ratio) => `<= 1.05x: ${ratio <= 1.05 ? 'met' : 'MISSED'}`);
  row('HighLevel crmhooks, no-op idempotency store (for comparison)', 'HighLevel crmhooks, no-op idempotency store', hlFloor);
  const hsFloor = 'HubSpot floor (100-event batch): HMAC + JSON.parse';
  row(hsFloor, hsFloor, hsFloor);
  row('HubSpot crmhooks receive + dispatch (100-event batch)', 'HubSpot crmhooks receive + dispatch (100-event batch)', hsFloor, (_, ops) => `${(1e6 / ops / 100).toFixed(2)} µs per event`);

  console.log(
    `\nNode ${process.version}; each task in ${PROCESSES} processes of its own; ${ROUNDS} rounds, in which every task ` +
      `runs one ${WINDOW_MS} ms window, in a fresh order. Ratios are time per delivery against the floor: the median ` +
      'of the per-round ratios (targets are judged on it), and the same pooled over all windows, which the ' +
      "machine's swings from second to second move more (the noise-check row shows by how much).\n",
  );
  console.log('| path | ops/s | time per delivery vs floor | same, pooled over all windows | target |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const { label, ops, ratio, pooledRatio, target } of rows) {
    console.log(`| ${label} | ${Math.round(ops).toLocaleString('en-US')} | ${ratio.toFixed(3)}x | ${pooledRatio.toFixed(3)}x | ${target} |`);
  }
}
void sink;
