import type { CrmWebhooks, StoredDelivery } from '@crmhooks/core';

/** What a replay runs through: a receiver (`createWebhooks(...)`), whatever its providers. */
export type ReplayTarget = Pick<CrmWebhooks<object>, 'replay'>;
import type { EventRow } from './queries.js';
import type { JournalFilter, ReplayReport, SkippedEvent } from './types.js';

/** Options of `journal.replay`. */
export interface ReplayOptions {
  /** List what would run, run nothing. Default: false. */
  readonly dryRun?: boolean;
  /** Called after each delivery with the events done so far and the total matched (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What `replayEvents` needs of the journal. */
export interface ReplaySource {
  oldestFirst(filter: JournalFilter): AsyncGenerator<EventRow>;
  storedDelivery(row: Pick<EventRow, 'delivery'>): Promise<StoredDelivery | undefined>;
  summary(filter: JournalFilter): Promise<{ count: number }[]>;
}

/** Why a replayed event ran nothing, by its result. */
const NOT_RUN = {
  in_progress: 'it is being handled right now (a copy the CRM sent, or another replay); replay it once that has finished',
  duplicate: 'the idempotency store does not let a replay run a handled event again (it ignores claim({ replay: true }))',
} as const;

/**
 * Replays matching events oldest first, one stored delivery at a time with the events of it
 * that matched (a HubSpot batch may hold others). The receiver verifies, runs and notes each.
 */
export async function replayEvents(source: ReplaySource, webhooks: ReplayTarget, filter: JournalFilter, options: ReplayOptions): Promise<ReplayReport> {
  const total = (await source.summary(filter)).reduce((sum, row) => sum + row.count, 0);
  const skipped: SkippedEvent[] = [];
  const wouldRun: { provider: string; deliveryId: string; name: string }[] = [];
  let matched = 0;
  let handled = 0;
  let failed = 0;
  let batch: EventRow[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    matched += rows.length;
    const delivery = await source.storedDelivery(rows[0]!);
    if (delivery === undefined) {
      for (const row of rows) skipped.push({ provider: row.provider, deliveryId: row.delivery_id, code: 'body_not_kept', reason: 'its body was not kept (keepBodies: false, or pruned)' });
    } else if (options.dryRun) {
      for (const row of rows) wouldRun.push({ provider: row.provider, deliveryId: row.delivery_id, name: row.name });
    } else {
      const outcome = await webhooks.replay(delivery, { deliveryIds: rows.map((row) => row.delivery_id) });
      if (outcome.error) {
        const { code, message } = outcome.error;
        for (const row of rows) skipped.push({ provider: row.provider, deliveryId: row.delivery_id, code, reason: `${code}: ${message}` });
      }
      for (const event of outcome.events) {
        if (event.result === 'in_progress' || event.result === 'duplicate') {
          skipped.push({ provider: event.provider, deliveryId: event.deliveryId, code: event.result, reason: NOT_RUN[event.result] });
        } else if (event.result === 'failed') failed += 1;
        else handled += 1;
      }
    }
    options.onProgress?.(matched, total);
  };

  for await (const row of source.oldestFirst(filter)) {
    if (batch.length > 0 && batch[0]!.delivery !== row.delivery) await flush();
    batch.push(row);
  }
  await flush();
  return { matched, handled, failed, skipped, ...(options.dryRun && { wouldRun }) };
}
