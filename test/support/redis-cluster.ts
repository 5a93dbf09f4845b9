import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisServer } from './redis-server.js';

/** A Redis Cluster on 127.0.0.1: three primaries, one replica each, six redis-server processes. */
export interface RedisCluster {
  /** Every node, primaries and replicas, as `{ host, port }` (what ioredis `Cluster` and node-redis `createCluster` take). */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly servers: readonly RedisServer[];
  /** The node serving `key`'s slot now. */
  primaryOf(key: string): Promise<{ host: string; port: number }>;
  /** The replica of the primary listening on `port`. */
  replicaOf(port: number): { host: string; port: number };
  stop(): Promise<void>;
}

const cli = (port: number, ...args: string[]) => {
  const run = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${run.stderr || run.stdout}`);
  return run.stdout;
};

/**
 * Starts six redis-server with `--cluster-enabled yes` and joins them with `redis-cli --cluster
 * create ... --cluster-replicas 1`, then waits (at most 60 s: a busy machine is slow to agree)
 * until every node reports `cluster_state:ok` and every replica has synced with its primary.
 */
export async function startRedisCluster(options: { readonly nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
  // A replica that has not synced with its primary never takes over: replicas sync at once (not after Redis's 5 s wait).
  // Redis's own node timeout (15 s) by default: a shorter one lets a busy CI machine, stalling a node
  // for a second or two, fail over a primary no test killed. The failover test asks for 1 s itself.
  const args = ['--cluster-enabled', 'yes', '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 15_000), '--repl-diskless-sync-delay', '0'];
  // Each node keeps its cluster config in a file of its own: a temporary directory per node.
  const servers: RedisServer[] = [];
  const dirs: string[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < 6; index += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'crmhooks-cluster-'));
      dirs.push(dir);
      servers.push(await startRedis({ args: [...args, '--dir', dir, '--cluster-config-file', `${dir}/nodes.conf`] }));
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    cli(servers[0]!.port, '--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes');
    const deadline = Date.now() + 60_000;
    const synced = (port: number) => {
      const replication = cli(port, 'info', 'replication');
      return replication.includes('role:master') || replication.includes('master_link_status:up');
    };
    // Every node sees three replicas (redis-cli makes them replicas after the nodes have met: until then they are empty primaries).
    const replicasSeen = (port: number) => cli(port, 'cluster', 'nodes').split('\n').filter((line) => line.split(' ')[2]?.includes('slave')).length === 3;
    while (!servers.every((server) => cli(server.port, 'cluster', 'info').includes('cluster_state:ok') && replicasSeen(server.port) && synced(server.port))) {
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok, with every replica synced, within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
    servers,
    async primaryOf(key) {
      const slot = Number(cli(servers[0]!.port, 'cluster', 'keyslot', key).trim());
      for (const server of servers) {
        const lines = cli(server.port, 'cluster', 'nodes').split('\n');
        for (const line of lines) {
          const [, address, flags, , , , , , ...ranges] = line.split(' ');
          if (!flags?.includes('master') || flags.includes('fail')) continue;
          const owns = ranges.some((range) => {
            const [from, to = from] = range.split('-').map(Number);
            return slot >= from! && slot <= to!;
          });
          if (owns) return { host: '127.0.0.1', port: Number(address!.split(':')[1]!.split('@')[0]) };
        }
      }
      throw new Error(`no primary serves slot ${slot}`);
    },
    replicaOf(port) {
      const lines = cli(servers[0]!.port, 'cluster', 'nodes').split('\n').map((line) => line.split(' '));
      const addressPort = (address: string) => Number(address.split(':')[1]!.split('@')[0]);
      const primary = lines.find((fields) => fields[1] !== undefined && addressPort(fields[1]) === port);
      const replica = lines.find((fields) => fields[2]?.includes('slave') && fields[3] === primary?.[0]);
      if (replica === undefined) throw new Error(`no replica of the primary on port ${port}`);
      return { host: '127.0.0.1', port: addressPort(replica[1]!) };
    },
    stop,
  };
}
