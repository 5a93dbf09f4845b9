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
import { githubDeliveries } from './octokit.js';
import { BENCH_SECRET, DISTINCT_DELIVERIES } from './bench-server.js';

export { BENCH_SECRET } from './bench-server.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/**
 * BENCH_RATE=6000: requests per second at a fixed rate instead of as fast as each server answers.
 * Saturated, the slower server also pays the kernel's wake-ups of the idle load generator on
 * loopback; at a rate every endpoint keeps up with, each pays them alike, as a server that is
 * not saturated does in production.
 */
const RATE = process.env.BENCH_RATE === undefined ? undefined : Number(process.env.BENCH_RATE);

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

const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);

/**
 * Requests per second against `url`, cycling through the deliveries, with `connections`
 * requests in flight, after a discarded warm-up run (each server is a fresh process: without
 * it, JIT compilation lands in the measurement). Fails on any non-2xx answer.
 */
export async function measure(server: ChildServer, deliveries: SignedDelivery[], connections = 10): Promise<Measurement> {
  // One cursor for both runs: the measured run continues where the warm-up stopped, never replaying its ids.
  const cursor = { next: 0 };
  await load(server.url, deliveries, WARMUP_S, cursor, connections);
  const cpuBefore = await server.cpuMicros();
  const { rate, total } = await load(server.url, deliveries, DURATION_S, cursor, connections);
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
    ...(RATE !== undefined && { overallRate: RATE }),
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

/** An endpoint measured against the hand-written one: crmhooks, or a peer library. */
export type Contender = 'crmhooks' | 'octokit';

/** One endpoint's figures in one framework, for one provider, medians over the rounds. */
export interface Row {
  readonly framework: string;
  readonly provider: Provider;
  readonly endpoint: 'hand-written' | Contender;
  readonly measured: Measurement;
  /** Median over the rounds of the hand-written endpoint's CPU per request (the mean of its two runs) over this one's. */
  readonly cpuRatio: number;
  /**
   * The lowest and highest of that ratio over the rounds (for the hand-written row: of the noise
   * check's). A change whose effect lies inside this spread was not shown by the run.
   */
  readonly cpuRatioSpread: readonly [number, number];
  /** The same for requests per second: this endpoint's over the hand-written one's. */
  readonly rateRatio: number;
}

/** What `compare` gives: a row per endpoint, and the noise check of each provider. */
export interface Comparison {
  readonly rows: Row[];
  /** Per provider, the median over the rounds of the hand-written endpoint's first run CPU over its second: ideally 1.000x. */
  readonly noise: Partial<Record<Provider, number>>;
}

/**
 * Runs every provider in rounds; each round measures the hand-written endpoint, crmhooks (and
 * `peers`, for SuperOffice: octokit signs with an HMAC too), then the hand-written endpoint
 * again, each in a fresh process. The others are compared with the mean of the two runs around
 * them, so a machine that slows down or speeds up during the round moves both sides alike; the
 * two hand-written runs compared with each other are the noise check.
 */
export async function compare(
  framework: string,
  serverEntry: string,
  providers: readonly Provider[],
  options: { readonly serverArgs?: readonly string[]; readonly peers?: readonly Exclude<Contender, 'crmhooks'>[] } = {},
): Promise<Comparison> {
  const { deliveries, highLevelPublicKey } = prepareDeliveries();
  const github = options.peers?.length ? githubDeliveries(DISTINCT_DELIVERIES) : [];
  const env = { BENCH_SECRET, BENCH_HIGHLEVEL_KEY: highLevelPublicKey };
  const run = async (variant: 'bare' | Contender, provider: Provider): Promise<Measurement> => {
    const server = await startChild(serverEntry, [variant, provider, ...(options.serverArgs ?? [])], env);
    try {
      return await measure(server, variant === 'octokit' ? github : deliveries[provider]);
    } finally {
      await server.stop();
    }
  };
  const rounds = new Map<Provider, { bare: Measurement; bareAgain: Measurement; others: Map<Contender, Measurement> }[]>(providers.map((provider) => [provider, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const provider of providers) {
      const contenders: Contender[] = ['crmhooks', ...(provider === 'superoffice' ? (options.peers ?? []) : [])];
      const bare = await run('bare', provider);
      const others = new Map<Contender, Measurement>();
      for (const contender of contenders) others.set(contender, await run(contender, provider));
      const bareAgain = await run('bare', provider);
      rounds.get(provider)!.push({ bare, bareAgain, others });
    }
    process.stderr.write(`${framework}: round ${round}/${ROUNDS} done\n`);
  }
  const rows: Row[] = [];
  const noise: Partial<Record<Provider, number>> = {};
  for (const provider of providers) {
    const measured = rounds.get(provider)!;
    const noiseRatios = measured.map(({ bare, bareAgain }) => bare.cpuPerRequest / bareAgain.cpuPerRequest);
    noise[provider] = median(noiseRatios);
    const handWritten = medianMeasurement(measured.flatMap(({ bare, bareAgain }) => [bare, bareAgain]));
    rows.push({ framework, provider, endpoint: 'hand-written', measured: handWritten, cpuRatio: 1, cpuRatioSpread: spread(noiseRatios), rateRatio: 1 });
    for (const endpoint of measured[0]!.others.keys()) {
      const cpuRatios = measured.map(({ bare, bareAgain, others }) => (bare.cpuPerRequest + bareAgain.cpuPerRequest) / 2 / others.get(endpoint)!.cpuPerRequest);
      rows.push({
        framework,
        provider,
        endpoint,
        measured: medianMeasurement(measured.map(({ others }) => others.get(endpoint)!)),
        cpuRatio: median(cpuRatios),
        cpuRatioSpread: spread(cpuRatios),
        rateRatio: median(measured.map(({ bare, bareAgain, others }) => others.get(endpoint)!.rate / ((bare.rate + bareAgain.rate) / 2))),
      });
    }
  }
  return { rows, noise };
}

function spread(values: readonly number[]): readonly [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

function medianMeasurement(measurements: readonly Measurement[]): Measurement {
  return { rate: median(measurements.map((one) => one.rate)), cpuPerRequest: median(measurements.map((one) => one.cpuPerRequest)) };
}

/**
 * Prints the comparison in Markdown: per endpoint its server CPU per request and how it compares
 * with the hand-written endpoint's (hand-written CPU ÷ its CPU: 0.8x means it spends 25% more),
 * requests per second likewise. crmhooks' CPU ratio is checked against `target`; a target missed
 * by less than the noise check's distance from 1 is marked "within noise". "Over the rounds" is
 * the lowest and highest per-round ratio: how far one run's figure may move. With a peer, one more
 * line compares crmhooks with it directly.
 */
export function printTable(comparisons: readonly Comparison[], target = 0.8): void {
  console.log(
    `\nautocannon, 10 connections${RATE === undefined ? '' : `, ${RATE} requests/s`}, ${WARMUP_S} s warm-up then ${DURATION_S} s measured per run; ${ROUNDS} rounds, each ` +
      'running the hand-written endpoint, crmhooks (and the peer), and the hand-written endpoint again, every run in a fresh ' +
      `server process; medians over the rounds; Node ${process.version}\n`,
  );
  console.log(
    `| framework | provider | endpoint | server CPU per request | CPU vs hand-written (crmhooks target >= ${target}x) | over the rounds | req/s | req/s vs hand-written | noise check |`,
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const peerLines: string[] = [];
  for (const { rows, noise } of comparisons) {
    for (const row of rows) {
      const check = noise[row.provider]!;
      const verdict = row.endpoint !== 'crmhooks' ? '' : row.cpuRatio >= target ? ' met' : target - row.cpuRatio <= Math.abs(1 - check) ? ' MISSED (within noise)' : ' MISSED';
      console.log(
        `| ${row.framework} | ${row.endpoint === 'octokit' ? 'GitHub' : row.provider} | ${row.endpoint === 'octokit' ? '@octokit/webhooks' : row.endpoint} | ` +
          `${row.measured.cpuPerRequest.toFixed(1)} µs | ${row.cpuRatio.toFixed(3)}x${verdict} | ${row.cpuRatioSpread.map((ratio) => ratio.toFixed(2)).join('–')} | ` +
          `${Math.round(row.measured.rate).toLocaleString('en-US')} | ` +
          `${row.rateRatio.toFixed(3)}x | ${row.endpoint === 'hand-written' ? `${check.toFixed(3)}x` : ''} |`,
      );
    }
    const kit = rows.find((row) => row.endpoint === 'crmhooks' && row.provider === 'superoffice');
    for (const peer of rows.filter((row) => row.endpoint === 'octokit')) {
      const ratio = kit!.cpuRatio / peer.cpuRatio; // octokit's CPU per request over crmhooks', each against the same hand-written runs
      peerLines.push(`- ${peer.framework}: crmhooks (SuperOffice) spends ${ratio >= 1 ? 'no more' : 'more'} CPU per request than @octokit/webhooks (GitHub): octokit ÷ crmhooks = ${ratio.toFixed(3)}x (target >= 1.0x: ${ratio >= 1 ? 'met' : 'MISSED'})`);
    }
  }
  if (peerLines.length > 0) console.log(`\n${peerLines.join('\n')}`);
}
