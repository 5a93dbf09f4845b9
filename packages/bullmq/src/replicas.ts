/** What `WAIT` needs of a queue's connection (ioredis, as BullMQ hands it out). */
interface NodeClient {
  wait(replicas: number, timeoutMs: number): Promise<number>;
  readonly options?: { readonly host?: string; readonly port?: number };
}
interface ClusterClient {
  readonly isCluster: true;
  /** Slot -> addresses (`host:port`) serving it, the primary first; kept current by ioredis across failovers. */
  readonly slots: readonly (readonly string[])[];
  nodes(role: 'master'): NodeClient[];
  cluster(subcommand: 'KEYSLOT', key: string): Promise<number>;
}

/**
 * Waits (Redis `WAIT`) until `replicas` replicas have every write the queue's node has taken so
 * far, the job just added among them; rejects when fewer confirm within `timeoutMs`. On a
 * cluster, `WAIT` goes to the primary serving the queue's hash slot (asked once: a key's slot
 * never changes, the primary serving it does).
 */
export function replicaWait(client: () => Promise<unknown>, queueKey: string, replicas: number, timeoutMs: number): () => Promise<void> {
  let slot: Promise<number> | undefined;
  return async () => {
    const connection = (await client()) as NodeClient | ClusterClient;
    let node = connection as NodeClient;
    if ((connection as ClusterClient).isCluster === true) {
      const cluster = connection as ClusterClient;
      slot ??= cluster.cluster('KEYSLOT', queueKey).then(Number);
      const [primary] = cluster.slots[await slot] ?? [];
      const found = cluster.nodes('master').find((one) => `${one.options?.host}:${one.options?.port}` === primary);
      if (found === undefined) throw new Error(`no primary of the Redis Cluster is known to serve the queue's keys (${queueKey}) yet`);
      node = found;
    }
    const confirmed = await node.wait(replicas, timeoutMs);
    if (confirmed < replicas) {
      throw new Error(
        `the job was stored, but ${confirmed} of the ${replicas} replicas asked for (waitForReplicas) had it within ${timeoutMs} ms. ` +
          "Check that the queue's Redis primary has that many replicas connected (INFO replication: connected_slaves), or lower waitForReplicas.",
      );
    }
  };
}
