import { JournalUnavailableError } from '../errors/delivery-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../providers/provider.js';
import { associationsOf } from '../providers/shared/association-event.js';
import { bounded, type DeliveredEvent, type DeliveryContext } from './deliver.js';
import type { ArrivedDelivery, DeliveryAttempt, DeliveryJournal } from './journal.js';
import { MAX_KEY_LENGTH } from '../util/keys.js';
import { isStorableEvent } from './names.js';

/** What a journal keeps of a verified delivery: the body, and only the headers verification reads. */
export function arrivedDelivery(provider: WebhookProvider, request: DeliveryRequest, events: readonly ProviderEvent[]): ArrivedDelivery {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', ...(provider.verifiedHeaders ?? provider.signatureHeaders)]) {
    const value = request.header(name.toLowerCase());
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const tenant = request.tenant ?? events[0]?.tenant;
  return {
    provider: provider.name,
    ...(tenant !== undefined && events.every((event) => event.tenant === tenant) && { tenant }),
    receivedAt: request.receivedAt,
    method: request.method,
    url: keptUrl(typeof request.url === 'string' ? request.url : request.url?.[0], provider.secretQueryParameters),
    headers,
    body: request.body,
    events: events.map((event) => ({ name: event.name, deliveryId: event.deliveryId, tenant: event.tenant, signedAt: event.signedAt, recordIds: recordIdsOf(event) })),
  };
}

/** The URL without the query parameters that carry a secret. */
function keptUrl(url: string | undefined, secretParameters: readonly string[] | undefined): string | undefined {
  if (url === undefined || secretParameters === undefined) return url;
  const parsed = new URL(url);
  for (const name of secretParameters) parsed.searchParams.delete(name);
  return parsed.href;
}

function recordIdsOf(event: ProviderEvent): string[] {
  const ends = associationsOf(event).flatMap((link) => [link.from.recordId, link.to.recordId]);
  // Postgres can neither keep a NUL in text nor index a long one: such an id is left out of the index, the delivery is still kept.
  const indexable = (id: string | undefined): id is string => id !== undefined && id !== '' && id.length <= MAX_KEY_LENGTH && !id.includes('\u0000');
  return [...new Set(ends.filter(indexable))];
}

/** Keeps the delivery, at most `storeTimeoutMs`; rejects with the error that makes the CRM retry. */
export async function keep(journal: DeliveryJournal, delivery: ArrivedDelivery, context: DeliveryContext): Promise<void> {
  try {
    await bounded(context, () => journal.record(delivery));
  } catch (cause) {
    throw new JournalUnavailableError('keep a verified delivery', cause, delivery.provider);
  }
}

/** The attempts of one delivery (or replay, or worker run), one per event. */
export function attemptsOf(
  delivered: readonly DeliveredEvent[],
  how: { readonly status: number | undefined; readonly durationMs: number; readonly replay: boolean; readonly queued: boolean },
): DeliveryAttempt[] {
  return delivered.map(({ outcome, error }) => ({
    provider: outcome.provider,
    deliveryId: outcome.deliveryId,
    name: outcome.name,
    tenant: outcome.tenant,
    result: how.queued && outcome.result === 'handled' ? 'queued' : outcome.result,
    status: how.status,
    error: error && { code: error.code, message: error.message },
    durationMs: how.durationMs,
    replay: how.replay,
  }));
}

/**
 * Notes the attempts, at most `storeTimeoutMs`; a failure is reported, never answered. An event
 * no store can key was parked (the journal, as a dead-letter sink, keeps it its own way): its
 * attempt is not noted.
 */
export async function note(journal: DeliveryJournal, all: readonly DeliveryAttempt[], context: DeliveryContext): Promise<void> {
  const attempts = all.filter(isStorableEvent);
  if (attempts.length === 0) return;
  try {
    await bounded(context, () => journal.attempted(attempts));
  } catch (cause) {
    const { provider, deliveryId } = attempts[0]!;
    context.report(new JournalUnavailableError(`note how delivery ${deliveryId} was handled`, cause, provider, 'Its answer was not changed; the journal lacks this attempt, and where the journal is also the store, a copy arriving after the claim lapses would run again.'));
  }
}
