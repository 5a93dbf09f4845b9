/**
 * Shared pieces of the HTTP throughput benchmarks: each server runs in its own
 * child process (one core for the server, one for autocannon), and every
 * request carries a delivery id the server has not seen recently, so the
 * measured path is the full one, never the duplicate shortcut.
 */
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
  type SignedDelivery,
} from '@crmhooks/core/testing';
import { median } from './median.js';

export const BENCH_SECRET = 'bench-superoffice-secret';
export const ROUTE = '/webhooks/crm';
/** Deliveries cycled through; servers bound their store below this, so ids recur only once forgotten. */
export const DISTINCT_DELIVERIES = 20_000;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

export type Provider = 'superoffice' | 'highlevel';

/** Signed deliveries of one provider, and the key a server must trust for them. */
export function prepareDeliveries(): { deliveries: Record<Provider, SignedDelivery[]>; highLevelPublicKey: string } {
  const key = generateHighLevelKeyPair();
  const superoffice = Array.from({ length: DISTINCT_DELIVERIES }, (_, index) =>
    superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample('relation.created'), EventId: `so-${index}` } }),
  );
  const highlevel = Array.from({ length: DISTINCT_DELIVERIES }, (_, index) =>
    highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: key.privateKey, webhookId: `hl-${index}` }),
  );
  return { deliveries: { superoffice, highlevel }, highLevelPublicKey: key.publicKey };
}

/** A benchmark server started in a child process. */
export interface ChildServer {
  readonly url: string;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** Forks `entry` with `args`; the child sends `{ url }` once it listens. */
export function startChild(entry: string, args: string[], env: Record<string, string>): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(entry, args, { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    child.once('message', (message: { url: string }) =>
      resolve({
        url: message.url,
        cpuMicros: () =>
          new Promise((answer) => {
            child.once('message', (reply: { cpu: number }) => answer(reply.cpu));
            child.send('cpu');
          }),
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill();
          }),
      }),
    );
  });
}

/** For the child: tell the parent where it listens, and report CPU time when asked. */
export function announceUrl(baseUrl: string): void {
  process.on('message', (message) => {
    if (message !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  });
  process.send?.({ url: `${baseUrl}${ROUTE}` });
}

/** For the child: listen on 127.0.0.1 and announce it. */
export function announce(server: import('node:http').Server): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address() as import('node:net').AddressInfo;
    announceUrl(`http://127.0.0.1:${address.port}`);
  });
}

const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);

/**
 * Requests per second against `url`, cycling through the deliveries, after a
 * discarded warm-up run (each server is a fresh process: without it, JIT
 * compilation lands in the measurement). Fails on any non-2xx answer.
 */
export async function measure(server: ChildServer, deliveries: SignedDelivery[]): Promise<Measurement> {
  // One cursor for both runs: the measured run continues where the warm-up stopped, never replaying its ids.
  const cursor = { next: 0 };
  await load(server.url, deliveries, WARMUP_S, cursor);
  const cpuBefore = await server.cpuMicros();
  const { rate, total } = await load(server.url, deliveries, DURATION_S, cursor);
  return { rate, cpuPerRequest: ((await server.cpuMicros()) - cpuBefore) / total };
}

/** Answer time percentiles in ms, after a warm-up, with `connections` requests in flight. */
export async function measureLatency(server: ChildServer, deliveries: SignedDelivery[], connections = 10): Promise<{ p50: number; p99: number }> {
  const cursor = { next: 0 };
  await load(server.url, deliveries, WARMUP_S, cursor, connections);
  const { latency } = await load(server.url, deliveries, DURATION_S, cursor, connections);
  return { p50: latency.p50, p99: latency.p99 };
}

/** Throughput, and the server's own CPU time per request (less sensitive to the load generator). */
export interface Measurement {
  readonly rate: number;
  readonly cpuPerRequest: number;
}

async function load(
  url: string,
  deliveries: SignedDelivery[],
  duration: number,
  cursor: { next: number },
  connections = 10,
): Promise<{ rate: number; total: number; latency: { p50: number; p99: number } }> {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const delivery = deliveries[cursor.next++ % deliveries.length]!;
          return { ...request, headers: { ...delivery.headers }, body: delivery.body };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { rate: result.requests.average, total: result.requests.total, latency: result.latency };
}

/** One comparison row: the kit against the hand-written endpoint, same framework and provider. */
export interface Comparison {
  readonly framework: string;
  readonly provider: Provider;
  /** Medians over the rounds. */
  readonly bare: Measurement;
  readonly kit: Measurement;
  /** Median over the rounds of crmhooks' req/s against the hand-written endpoint's (the mean of its two runs). */
  readonly ratio: number;
  /** Median over the rounds of the hand-written endpoint's second run against its first: ideally 1.000x. */
  readonly noise: number;
}

/**
 * Runs every provider in rounds; each round measures the hand-written endpoint, crmhooks, then
 * the hand-written endpoint again, each in a fresh process. crmhooks is compared with the mean of
 * the two runs around it, so a machine that slows down or speeds up during the round moves both
 * sides alike; the two hand-written runs compared with each other are the noise check.
 */
export async function compare(
  framework: string,
  serverEntry: string,
  providers: readonly Provider[],
  serverArgs: readonly string[] = [],
): Promise<Comparison[]> {
  const { deliveries, highLevelPublicKey } = prepareDeliveries();
  const env = { BENCH_SECRET, BENCH_HIGHLEVEL_KEY: highLevelPublicKey };
  const rounds = new Map<Provider, { bare: Measurement; kit: Measurement; bareAgain: Measurement }[]>(providers.map((provider) => [provider, []]));
  const run = async (variant: 'bare' | 'crmhooks', provider: Provider): Promise<Measurement> => {
    const server = await startChild(serverEntry, [variant, provider, ...serverArgs], env);
    try {
      return await measure(server, deliveries[provider]);
    } finally {
      await server.stop();
    }
  };
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const provider of providers) {
      const bare = await run('bare', provider);
      const kit = await run('crmhooks', provider);
      const bareAgain = await run('bare', provider);
      rounds.get(provider)!.push({ bare, kit, bareAgain });
    }
    process.stderr.write(`${framework}: round ${round}/${ROUNDS} done\n`);
  }
  return providers.map((provider) => {
    const measured = rounds.get(provider)!;
    return {
      framework,
      provider,
      bare: medianMeasurement(measured.flatMap(({ bare, bareAgain }) => [bare, bareAgain])),
      kit: medianMeasurement(measured.map(({ kit }) => kit)),
      ratio: median(measured.map(({ bare, kit, bareAgain }) => kit.rate / ((bare.rate + bareAgain.rate) / 2))),
      noise: median(measured.map(({ bare, bareAgain }) => bareAgain.rate / bare.rate)),
    };
  });
}

function medianMeasurement(measurements: readonly Measurement[]): Measurement {
  return { rate: median(measurements.map((one) => one.rate)), cpuPerRequest: median(measurements.map((one) => one.cpuPerRequest)) };
}

/**
 * Prints the comparison table in Markdown. A missed target is marked "within noise" when it is
 * missed by less than the noise check's distance from 1.
 */
export function printTable(rows: readonly Comparison[], target = 0.95): void {
  console.log(
    `\nautocannon, 10 connections, ${WARMUP_S} s warm-up then ${DURATION_S} s measured per run; ${ROUNDS} rounds, each ` +
      'running the hand-written endpoint, crmhooks, and the hand-written endpoint again, every run in a fresh server ' +
      `process; medians over the rounds; Node ${process.version}\n`,
  );
  console.log(
    `| framework | provider | hand-written req/s | crmhooks req/s | throughput ratio (target >= ${target}x) | ` +
      'noise check: hand-written vs itself | server CPU per request, hand-written / crmhooks |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const { framework, provider, bare, kit, ratio, noise } of rows) {
    const verdict = ratio >= target ? 'met' : target - ratio <= Math.abs(1 - noise) ? 'MISSED (within noise)' : 'MISSED';
    console.log(
      `| ${framework} | ${provider} | ${Math.round(bare.rate).toLocaleString('en-US')} | ${Math.round(kit.rate).toLocaleString('en-US')} | ` +
        `${ratio.toFixed(3)}x ${verdict} | ${noise.toFixed(3)}x | ${bare.cpuPerRequest.toFixed(1)} µs / ${kit.cpuPerRequest.toFixed(1)} µs |`,
    );
  }
}
