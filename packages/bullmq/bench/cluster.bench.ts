/**
 * Deliveries per second through the BullMQ hand-off (Express, SuperOffice, 100 tenants) on one
 * redis-server, and on a local Redis Cluster of three primaries with a replica each, with the
 * jobs in one queue (one shard) and in three queues whose tags three primaries serve; rounds
 * alternate, each server a fresh process. Every process shares the same 2 cores.
 */
import { fileURLToPath } from 'node:url';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { BENCH_SECRET, measure, startChild, type Measurement } from '../../../bench/support/http-bench.js';
import { median } from '../../../bench/support/median.js';
import { startRedis } from '../../../test/support/redis-server.js';
import { startRedisCluster } from '../../../test/support/redis-cluster.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
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
  };
  let run = 0;
  const fresh = () =>
    Array.from({ length: 60_000 }, (_, index) =>
      superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample('relation.created'), EventId: `c${run}-${index}`, ContextIdentifier: `Cust${index % 100}` } }),
    );
  const results = new Map<string, Measurement[]>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [label, env] of Object.entries(setups)) {
      run += 1;
      const child = await startChild(server, ['crmhooks', 'superoffice'], { BENCH_SECRET, ...env });
      try {
        results.set(label, [...(results.get(label) ?? []), await measure(child, fresh())]);
      } finally {
        await child.stop();
      }
    }
    process.stderr.write(`cluster: round ${round}/${ROUNDS} done\n`);
  }
  const base = median(results.get('one redis-server')!.map((one) => one.rate));
  console.log(`\nThe BullMQ hand-off (Express 5, SuperOffice, 100 tenants), autocannon 10 connections, ${ROUNDS} rounds (medians); Node ${process.version}\n`);
  console.log('| Redis | deliveries/s | receiver CPU per delivery | vs one redis-server |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [label, runs] of results) {
    const rate = median(runs.map((one) => one.rate));
    console.log(`| ${label} | ${Math.round(rate).toLocaleString('en-US')} | ${median(runs.map((one) => one.cpuPerRequest)).toFixed(0)} µs | ${(rate / base).toFixed(2)}x |`);
  }
} finally {
  await Promise.all([redis.stop(), cluster.stop()]);
}
