/**
 * Deliveries per second through the BullMQ hand-off (Express, SuperOffice, 100 tenants) on one
 * redis-server, and on a local Redis Cluster of three primaries with a replica each, with the
 * jobs in one queue (one shard) and in three queues whose tags three primaries serve, and the
 * last answered only once a replica has each job (`waitForReplicas: 1`, Redis WAIT); rounds
 * alternate, each server a fresh process. Every process shares the same 2 cores.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { BENCH_SECRET, measure, startChild, type Measurement } from '../../../bench/support/http-bench.js';
import { median } from '../../../bench/support/median.js';
import { startRedis } from '../../../test/support/redis-server.js';
import { startRedisCluster } from '../../../test/support/redis-cluster.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
const SECONDS = Number(process.env.BENCH_WARMUP_S ?? 2) + Number(process.env.BENCH_DURATION_S ?? 3);
/** CPU time of every redis-server process so far, in µs (Linux /proc; clock ticks of 10 ms). */
function redisCpu(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(redis-server)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10_000;
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
try {
  const tags: string[] = [];
  const ports = new Set<number>();
  for (let suffix = 0; tags.length < 3; suffix += 1) {
    const { port } = await cluster.primaryOf(`{bench-${suffix}}`);
    if (!ports.has(port)) (ports.add(port), tags.push(`bench-${suffix}`));
  }
  const setups = {
    'one redis-server': { REDIS_URL: redis.url },
    'Redis Cluster, one queue (one shard)': { REDIS_URL: redis.url, CLUSTER_NODES: JSON.stringify(cluster.nodes), CLUSTER_TAGS: JSON.stringify(tags.slice(0, 1)) },
    'Redis Cluster, three queues (three shards)': { REDIS_URL: redis.url, CLUSTER_NODES: JSON.stringify(cluster.nodes), CLUSTER_TAGS: JSON.stringify(tags) },
    'the same, answered once a replica has the job (waitForReplicas: 1)': { REDIS_URL: redis.url, CLUSTER_NODES: JSON.stringify(cluster.nodes), CLUSTER_TAGS: JSON.stringify(tags), WAIT_REPLICAS: '1' },
  };
  let run = 0;
  const fresh = () =>
    Array.from({ length: 60_000 }, (_, index) =>
      superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample('relation.created'), EventId: `c${run}-${index}`, ContextIdentifier: `Cust${index % 100}` } }),
    );
  const results = new Map<string, Measurement[]>();
  const redisPerDelivery = new Map<string, number[]>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [label, env] of Object.entries(setups)) {
      run += 1;
      const child = await startChild(server, ['crmhooks', 'superoffice'], { BENCH_SECRET, ...env });
      try {
        const before = redisCpu();
        const measured = await measure(child, fresh());
        results.set(label, [...(results.get(label) ?? []), measured]);
        // About: the warm-up's deliveries are counted at the measured rate.
        redisPerDelivery.set(label, [...(redisPerDelivery.get(label) ?? []), (redisCpu() - before) / (measured.rate * SECONDS)]);
      } finally {
        await child.stop();
      }
    }
    process.stderr.write(`cluster: round ${round}/${ROUNDS} done\n`);
  }
  const base = median(results.get('one redis-server')!.map((one) => one.rate));
  console.log(`\nThe BullMQ hand-off (Express 5, SuperOffice, 100 tenants), autocannon 10 connections, ${ROUNDS} rounds (medians); Node ${process.version}\n`);
  console.log('| Redis | deliveries/s | receiver CPU per delivery | Redis CPU per delivery (all its processes, about) | vs one redis-server |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, runs] of results) {
    const rate = median(runs.map((one) => one.rate));
    const redisCost = median(redisPerDelivery.get(label)!);
    console.log(`| ${label} | ${Math.round(rate).toLocaleString('en-US')} | ${median(runs.map((one) => one.cpuPerRequest)).toFixed(0)} µs | ${redisCost.toFixed(0)} µs | ${(rate / base).toFixed(2)}x |`);
  }
} finally {
  await Promise.all([redis.stop(), cluster.stop()]);
}
