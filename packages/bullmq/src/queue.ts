import { createHash, randomUUID } from 'node:crypto';
import { ConfigurationError, TenantFairness, Warnings, type EventQueue, type FairnessOptions, type QueuedEvent } from '@crmhooks/core';
import { PersistenceCheck } from '@crmhooks/redis';
import type { JobsOptions, Queue } from 'bullmq';
import { checkClusterKeys, clusterNodeProblem } from './cluster.js';
import { replicaWait } from './replicas.js';

/** Options of {@link bullmqQueue}. */
export interface BullmqQueueOptions {
  /**
   * Options of every job, merged over the defaults: 10 attempts with exponential backoff
   * from 2 s (about 17 minutes in all), completed jobs removed after 24 hours, failed jobs
   * kept for inspection.
   */
  readonly jobOptions?: JobsOptions;
  /**
   * Refuse to queue unless Redis keeps an append-only file: `ready()` and every hand-off
   * reject (deliveries are answered so that the CRM retries). Default: false, a warning is logged once.
   */
  readonly requirePersistence?: boolean;
  /**
   * One customer's burst never holds back the others: a tenant within its rate (20 events a
   * second and bursts of 50, per receiver, by default) queues jobs without a priority, which
   * BullMQ's workers take first; a tenant over it queues prioritized jobs, taken once no other
   * waits, smaller bursts first. `false` queues every job alike, first come first served (so
   * does a `priority` of your own in `jobOptions`).
   */
  readonly fairness?: FairnessOptions | false;
  /**
   * Answer a delivery only once this many replicas of the queue's Redis also have its job (Redis
   * `WAIT`), so that a primary dying right after cannot lose a job the CRM was told is stored.
   * Fewer within `waitForReplicasMs` (default 1 s): answered so that the CRM retries (the job is
   * kept; the retry finds it). Default 0: Redis's own answer, as fast as it comes.
   */
  readonly waitForReplicas?: number;
  readonly waitForReplicasMs?: number;
}

/** A queue hand-off that checks, once, that Redis keeps what it acknowledged. */
export interface BullmqEventQueue extends EventQueue {
  /**
   * Resolves once Redis's persistence has been checked (a warning is logged if it keeps no
   * append-only file). With `requirePersistence`, rejects instead: await it at start-up to
   * refuse to start.
   */
  ready(): Promise<void>;
}

const DAY_SECONDS = 24 * 60 * 60;

/** The job options crmhooks uses unless told otherwise. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: DAY_SECONDS },
  removeOnFail: false,
};

/**
 * The job id of an event: its provider and delivery id, so copies of a delivery (CRM
 * retries, several receivers) never make a second job. BullMQ ids may not contain `:`
 * nor be integers: the id is escaped and prefixed. A replay (`webhooks.replay`) is a job of its
 * own: the first run's job may still be kept, and must not swallow it.
 */
export function jobIdOf(event: Pick<QueuedEvent, 'provider' | 'deliveryId' | 'replay'>): string {
  const id = `${event.provider}-${encodeURIComponent(event.deliveryId)}`;
  return event.replay ? `${id}-replay-${randomUUID()}` : id;
}

/** The prefix of a queue's keys (BullMQ's default: `bull`), and the connection it was given. */
const prefixOf = (queue: Queue): string => (queue.opts as { prefix?: string }).prefix ?? 'bull';
const connectionOf = (queue: Queue): unknown => (queue.opts as { connection?: unknown }).connection;

/** The queue's Redis connection: `queue.client` in BullMQ 5, the backend's in BullMQ 6. */
type InfoClient = Promise<{ info(): Promise<string> }>;
function redisOf(queue: Queue): InfoClient {
  const versions = queue as unknown as { client?: InfoClient; getBackend?: () => { client: InfoClient } };
  return versions.getBackend ? versions.getBackend().client : versions.client!;
}

/**
 * Hands a receiver's verified events to a BullMQ queue: `createWebhooks({ providers, queue: bullmqQueue(queue) })`.
 * Given several queues (on a Redis Cluster, each with a hash tag of its own, so that they spread
 * over the shards), each tenant's jobs go to one of them, chosen by a hash of the tenant; run a
 * worker for each queue. Redis's persistence is checked on the first queue's connection.
 * One job per event, named after the event; the delivery is answered 2xx once the job is stored in Redis.
 * Jobs acknowledged to a CRM are only as durable as Redis: the queue checks once that Redis
 * keeps an append-only file, and warns (or, with `requirePersistence`, refuses) when it does not.
 */
export function bullmqQueue(queue: Queue | readonly Queue[], options: BullmqQueueOptions = {}): BullmqEventQueue {
  const queues: readonly Queue[] = Array.isArray(queue) ? queue : [queue as Queue];
  if (queues.length === 0) throw new ConfigurationError('bullmqQueue() needs a BullMQ Queue, or a non-empty array of them (one per shard of a Redis Cluster).');
  for (const one of queues) checkClusterKeys('bullmqQueue', one.name, prefixOf(one), connectionOf(one));
  const first = queues[0]!;
  const connection = connectionOf(first);
  const jobOptions = { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions };
  const fairness = options.fairness === false || jobOptions.priority !== undefined ? undefined : new TenantFairness(options.fairness);
  const required = options.requirePersistence ?? false;
  const replicas = options.waitForReplicas ?? 0;
  const replicated = new Map(
    replicas > 0
      ? queues.map((one) => [one, replicaWait(() => redisOf(one), `${prefixOf(one)}:${one.name}:id`, replicas, options.waitForReplicasMs ?? 1000)])
      : [],
  );
  const warnings = new Warnings();
  // A cluster node reached through a single-node client: every job would fail, whatever the CRM retries.
  let misconnected: string | undefined;
  const persistence = new PersistenceCheck(
    async () => {
      const info = await (await redisOf(first)).info();
      misconnected = clusterNodeProblem('bullmqQueue', info, connection);
      return info;
    },
    {
      name: 'bullmqQueue',
      atRisk: 'jobs stored',
      consequence: 'events whose deliveries were already answered 200 are never handled: the CRMs will not send them again',
      required,
    },
    warnings,
  );
  const ready = async () => {
    await persistence.run();
    if (misconnected !== undefined) throw new ConfigurationError(misconnected);
  };
  ready().catch((error: unknown) => {
    if (error instanceof ConfigurationError && misconnected !== undefined) warnings.emit(misconnected);
  });
  return {
    ready,
    onWarning: (listener) => warnings.listen(listener),
    enqueue: async (event) => {
      if (required || misconnected !== undefined) await ready();
      // Events that name no tenant are one tenant per CRM. A tenant's jobs (and copies of a delivery) always go to one queue.
      const tenant = `${event.provider}\n${event.tenant ?? ''}`;
      // BullMQ's workers take jobs without a priority first, then the lowest numbers: the yield level is one.
      const priority = fairness?.yieldOf(tenant);
      const target = queues.length === 1 ? first : queues[createHash('sha256').update(tenant).digest().readUInt32BE(0) % queues.length]!;
      await target.add(event.name, event, priority === undefined ? { ...jobOptions, jobId: jobIdOf(event) } : { ...jobOptions, jobId: jobIdOf(event), priority });
      await replicated.get(target)?.();
    },
  };
}
