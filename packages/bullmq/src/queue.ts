import type { EventQueue, QueuedEvent } from '@crmhooks/core';
import type { JobsOptions, Queue } from 'bullmq';

/** Options of {@link bullmqQueue}. */
export interface BullmqQueueOptions {
  /**
   * Options of every job, merged over the defaults: 10 attempts with exponential backoff
   * from 2 s (about 17 minutes in all), completed jobs removed after 24 hours, failed jobs
   * kept for inspection.
   */
  readonly jobOptions?: JobsOptions;
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
 * nor be integers: the id is escaped and prefixed.
 */
export function jobIdOf(event: Pick<QueuedEvent, 'provider' | 'deliveryId'>): string {
  return `${event.provider}-${encodeURIComponent(event.deliveryId)}`;
}

/**
 * Hands a receiver's verified events to a BullMQ queue: `createWebhooks({ providers, queue: bullmqQueue(queue) })`.
 * One job per event, named after the event; the delivery is answered 2xx once the job is stored in Redis.
 */
export function bullmqQueue(queue: Queue, options: BullmqQueueOptions = {}): EventQueue {
  const jobOptions = { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions };
  return {
    enqueue: async (event) => {
      await queue.add(event.name, event, { ...jobOptions, jobId: jobIdOf(event) });
    },
  };
}
