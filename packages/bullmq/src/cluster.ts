import { ConfigurationError } from '@crmhooks/core';

/** The hash tag of a key as Redis Cluster reads it: what lies between the first `{` and the next `}`, if not empty. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** Whether a BullMQ connection option is a cluster client (ioredis `Cluster`). */
export function isClusterConnection(connection: unknown): boolean {
  return (connection as { isCluster?: unknown } | undefined)?.isCluster === true;
}

/**
 * BullMQ's scripts touch several keys of a queue at once, which a Redis Cluster allows only
 * when they share a hash slot: on a cluster client, a queue whose keys (`<prefix>:<name>:...`)
 * carry no hash tag could never take a job. Refused at once, with the fix.
 */
export function checkClusterKeys(who: string, queueName: string, prefix: string, connection: unknown): void {
  if (!isClusterConnection(connection) || hashTagOf(`${prefix}:${queueName}`) !== undefined) return;
  throw new ConfigurationError(
    `${who}: queue "${queueName}" is on a Redis Cluster, but its keys (${prefix}:${queueName}:...) carry no hash tag, so Redis would refuse ` +
      "BullMQ's scripts (CROSSSLOT) for every job. Give the queue a hash-tagged prefix, the same in the receiver and in every worker: " +
      `new Queue('${queueName}', { connection, prefix: '{${queueName}}' }) and createWorker(webhooks, '${queueName}', { connection, prefix: '{${queueName}}' }). ` +
      'Each queue with a tag of its own is placed on a shard of its own choosing; queues sharing one tag share one shard.',
  );
}

/** What is wrong when `INFO` says the server is a cluster node but the connection is a single-node client; undefined if nothing. */
export function clusterNodeProblem(who: string, info: string, connection: unknown): string | undefined {
  if (!/^cluster_enabled:1\s*$/m.test(info) || isClusterConnection(connection)) return undefined;
  return (
    `${who}: this Redis is a node of a Redis Cluster, but the queue connects to it as to a single server, which cannot follow the cluster ` +
    "to the node that holds a queue's keys. Pass a cluster client as connection: new Cluster([{ host, port }, ...]) from ioredis, " +
    "with a hash-tagged prefix (e.g. prefix: '{crm-events}') in the receiver and in every worker."
  );
}
