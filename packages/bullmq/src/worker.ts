import { consoleLogger, describeThrown, type EventHandlers, type QueuedEvent } from '@crmhooks/core';
import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { checkClusterKeys } from './cluster.js';


/** A running worker; see {@link createWorker}. */
export interface CrmHooksWorker {
  /** The BullMQ worker, for its events (`failed`, `completed`) and settings. */
  readonly worker: Worker<QueuedEvent>;
  /**
   * Stops taking jobs, gives running ones `graceMs` to finish (default: 10 s), then aborts
   * their handlers' `signal` and waits for them. A job cut short this way fails and is
   * retried by another worker, as BullMQ retries any failed job. Resolves at the latest 5 s
   * after the grace: with Redis unreachable, BullMQ's own close never ends (its issue 4656),
   * and a worker must still shut down; that is logged, and the jobs it held are taken up again
   * by BullMQ's stalled-job check.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

/** How long close() waits past the grace for BullMQ to record the aborted jobs and disconnect. */
const CLOSE_AFTER_GRACE_MS = 5_000;

/**
 * Runs the receiver's handlers for every job of the queue: `createWorker(webhooks, 'crm-events', { connection })`.
 * Handlers get the same typed payloads as in a receiver, with the delivery id and an `AbortSignal`
 * in their context. A failing handler fails the job, which BullMQ retries with its backoff; jobs
 * that fail every attempt stay in the failed set for inspection. A permanent failure (a
 * `PermanentError`) is parked in the receiver's `deadLetters` and fails the job at once, unretried.
 * The worker's own errors (a lost Redis connection) are logged through the receiver's logger. A job whose worker died is picked
 * up again by BullMQ's stalled-job check, so handlers run at least once: use the delivery id to make
 * them idempotent.
 */
export function createWorker(webhooks: EventHandlers, queueName: string, options: WorkerOptions): CrmHooksWorker {
  checkClusterKeys('createWorker', queueName, (options as { prefix?: string }).prefix ?? 'bull', options.connection);
  const running = new Set<AbortController>();
  const worker = new Worker<QueuedEvent>(
    queueName,
    async (job: Job<QueuedEvent>, _token?: string, cancelled?: AbortSignal) => {
      const controller = new AbortController();
      const follow = () => controller.abort(cancelled!.reason);
      cancelled?.addEventListener('abort', follow, { once: true });
      running.add(controller);
      try {
        await webhooks.handle(job.data, { signal: controller.signal });
      } catch (error) {
        // A permanent failure was parked by handle(): BullMQ must not retry it. It stays in the failed set.
        if ((error as { retryable?: unknown }).retryable === false) throw new UnrecoverableError((error as Error).message);
        throw error;
      } finally {
        running.delete(controller);
        cancelled?.removeEventListener('abort', follow);
      }
    },
    options,
  );
  // BullMQ prints errors nobody listens to; through the receiver's logger they reach the application's log.
  worker.on('error', (error) =>
    (webhooks.logger ?? consoleLogger).error({ code: 'worker_error', err: error }, `The BullMQ worker of queue ${queueName} reported: ${describeThrown(error)}.`),
  );
  return {
    worker,
    async close({ graceMs = 10_000 } = {}) {
      const stopping = worker.close();
      const abortRunning = setTimeout(() => {
        for (const controller of running) controller.abort(new Error('The worker is shutting down.'));
      }, graceMs);
      let giveUp: NodeJS.Timeout | undefined;
      const unfinished = new Promise<true>((resolve) => (giveUp = setTimeout(() => resolve(true), graceMs + CLOSE_AFTER_GRACE_MS)));
      try {
        if ((await Promise.race([stopping.then(() => false), unfinished])) === true) {
          (webhooks.logger ?? consoleLogger).warn(
            { code: 'worker_close_timeout' },
            `The BullMQ worker of queue ${queueName} did not close within ${(graceMs + CLOSE_AFTER_GRACE_MS) / 1000} s, most likely because ` +
              'Redis is unreachable (BullMQ cannot close a connection that never connected). close() returns anyway so that the process can ' +
              "exit: end it once close() resolves (process.exit()). Jobs it held are run again by another worker after BullMQ's stalled-job check.",
          );
        }
      } finally {
        clearTimeout(abortRunning);
        clearTimeout(giveUp);
      }
    },
  };
}

/**
 * The worker as the NestJS module starts it: `CrmHooksModule.forRoot({ ..., worker: bullmqWorker('crm-events', { connection }) })`.
 * The module starts it once the decorated handlers are subscribed, and closes it on shutdown.
 */
export function bullmqWorker(queueName: string, options: WorkerOptions): (handlers: EventHandlers) => CrmHooksWorker {
  return (handlers) => createWorker(handlers, queueName, options);
}
