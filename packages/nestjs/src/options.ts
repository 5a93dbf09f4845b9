import type { CrmWebhooksOptions, EventHandlers, EventQueue } from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';

/** Starts a worker running the module's handlers for queued events, e.g. `bullmqWorker('crm-events', { connection })`. */
export type WorkerFactory = (handlers: EventHandlers) => { close(): Promise<void> };

/**
 * Options of `CrmHooksModule.forRoot` / `forRootAsync`: the receiver's
 * (providers with their secrets and keys, store, body limit, queue) plus the route and worker.
 */
export interface CrmHooksModuleOptions extends CrmWebhooksOptions, Pick<AdapterOptions, 'success'> {
  /** Path the module registers a POST route on. Absolute: a global prefix does not apply. Default: `/webhooks/crm`. */
  readonly path?: string;
  /**
   * With a queue hand-off (`queue` and `worker`), what this app runs: `receiver` (the route,
   * handing events to the queue), `worker` (the decorated handlers, run from the queue; no
   * route), or `both`. Default: `both`.
   */
  readonly mode?: 'receiver' | 'worker' | 'both';
  /** Runs the decorated handlers for queued events (`bullmqWorker(...)` from @crmhooks/bullmq). */
  readonly worker?: WorkerFactory;
  /** Where verified events go instead of running handlers in the request (`bullmqQueue(...)`). */
  readonly queue?: EventQueue;
}
