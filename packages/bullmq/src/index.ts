/**
 * Queue hand-off for crmhooks on BullMQ: receivers store verified events as jobs and answer
 * in milliseconds; workers run the typed handlers.
 * @packageDocumentation
 */
export { bullmqQueue, jobIdOf, DEFAULT_JOB_OPTIONS, type BullmqQueueOptions, type BullmqEventQueue } from './queue.js';
export type { FairnessOptions } from '@crmhooks/core';
export { createWorker, bullmqWorker, type CrmHooksWorker } from './worker.js';
export type { EventHandlers } from '@crmhooks/core';
