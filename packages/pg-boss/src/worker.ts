import { consoleLogger, describeThrown, type EventHandlers, type QueuedEvent } from '@crmhooks/core';
import type PgBoss from 'pg-boss';
import { DEFAULT_QUEUE_NAME } from './queue.js';


/** Options of {@link createPgBossWorker}. */
export interface PgBossWorkerOptions {
  /** The queue to work. Default `crm-events`. */
  readonly name?: string;
  /** Jobs run at once by this worker. Default 20. */
  readonly concurrency?: number;
  /** How often an idle worker looks for jobs, in seconds (pg-boss's minimum: 0.5). Default 0.5. */
  readonly pollingIntervalSeconds?: number;
}

/** A running worker; see {@link createPgBossWorker}. */
export interface PgBossWorker {
  /**
   * Stops taking jobs, gives running ones `graceMs` to finish (default: 10 s), then aborts their
   * handlers' `signal` and waits for them; an aborted job fails and is retried by another worker.
   * Leaves `boss` running: it is yours to stop.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

/**
 * Runs the receiver's handlers for every job of the queue: `await createPgBossWorker(webhooks, boss)`.
 * Handlers get the same typed payloads as in a receiver. A failing handler fails its job, which
 * pg-boss retries with its backoff (see `DEFAULT_JOB_OPTIONS`); a job whose worker died is retried
 * once it expires (60 s by default). Handlers therefore run at least once: use the delivery id to
 * make them idempotent. A permanent failure (a `PermanentError`) was parked by `handle()` in the
 * receiver's `deadLetters` (the journal keeps it `dead`): its job completes, unretried.
 *
 * Each job of a fetched batch settles on its own; two loops fetch in turn, half of `concurrency`
 * each, so one slow job delays only the next fetch of its loop.
 */
export async function createPgBossWorker(webhooks: EventHandlers, boss: PgBoss, options: PgBossWorkerOptions = {}): Promise<PgBossWorker> {
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const concurrency = Math.max(1, options.concurrency ?? 20);
  const logger = webhooks.logger ?? consoleLogger;
  const running = new Set<AbortController>();
  const runs = new Set<Promise<unknown>>();
  await boss.createQueue(name);

  /**
   * Completes a handled job. pg-boss would too, once the batch settles, but without waiting or
   * retrying: Postgres restarting then leaves the job active until it expires, and run again.
   */
  const complete = async (job: PgBoss.Job<QueuedEvent> & { readonly expireInSeconds?: number }) => {
    const until = Date.now() + (job.expireInSeconds ?? 60) * 1000 - 1000;
    for (let tries = 1; ; tries += 1) {
      try {
        return await boss.complete(name, job.id);
      } catch (error) {
        if (Date.now() + 1000 >= until) {
          logger.error(
            { code: 'worker_error', err: error },
            `The pg-boss worker of queue ${name} could not mark a handled job complete (${describeThrown(error)}, ${tries} tries); ` +
              'pg-boss runs it again once it expires: check that Postgres is reachable.',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };

  const run = async (job: PgBoss.Job<QueuedEvent>) => {
    const controller = new AbortController();
    running.add(controller);
    try {
      await webhooks.handle(job.data, { signal: controller.signal });
    } catch (error) {
      // Parked by handle(): completing the job keeps pg-boss from retrying what no retry fixes.
      if ((error as { retryable?: unknown }).retryable === false) return await complete(job);
      await boss.fail(name, job.id, { message: describeThrown(error) }).catch((lost: unknown) =>
        logger.error({ code: 'worker_error', err: lost }, `The pg-boss worker of queue ${name} could not fail a job (${describeThrown(lost)}); pg-boss retries it once it expires.`),
      );
      return;
    } finally {
      running.delete(controller);
    }
    await complete(job);
  };

  const batchSize = Math.ceil(concurrency / 2);
  const loops = concurrency > 1 ? 2 : 1;
  const ids: string[] = [];
  for (let loop = 0; loop < loops; loop += 1) {
    const id: string = await boss.work<QueuedEvent>(name, { batchSize, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 }, async (jobs) => {
      const batch = Promise.all(jobs.map(run));
      runs.add(batch);
      await batch;
      runs.delete(batch);
      // A full batch: more are likely waiting, so this loop fetches again without its polling pause.
      if (jobs.length === batchSize) boss.notifyWorker(id);
    });
    ids.push(id);
  }
  // pg-boss emits its errors (a lost connection); through the receiver's logger they reach the application's log.
  const onError = (error: Error & { queue?: string }) => {
    if (error.queue === undefined || error.queue === name) {
      logger.error({ code: 'worker_error', err: error }, `The pg-boss worker of queue ${name} reported: ${describeThrown(error)}.`);
    }
  };
  boss.on('error', onError);

  return {
    async close({ graceMs = 10_000 } = {}) {
      await Promise.all(ids.map((id) => boss.offWork({ id })));
      const settled = () => Promise.allSettled([...runs]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const controller of running) controller.abort(new Error('The worker is shutting down.'));
      await settled();
      boss.off('error', onError);
    },
  };
}

/**
 * The worker as the NestJS module starts it: `CrmHooksModule.forRoot({ ..., worker: pgBossWorker(boss) })`.
 * The module starts it once the decorated handlers are subscribed, and closes it on shutdown.
 */
export function pgBossWorker(boss: PgBoss, options: PgBossWorkerOptions = {}): (handlers: EventHandlers) => { close(): Promise<void> } {
  return (handlers) => {
    const started = createPgBossWorker(handlers, boss, options);
    started.catch((error: unknown) =>
      (handlers.logger ?? consoleLogger).error({ code: 'worker_error', err: error }, `The pg-boss worker could not start: ${describeThrown(error)}.`),
    );
    return { close: async () => (await started.catch(() => undefined))?.close() };
  };
}
