import { createHmac, randomUUID } from 'node:crypto';
import { contentId } from '../providers/shared/content-id.js';
import type { AttioEvent, AttioListEntryEvent } from '../providers/attio/types.js';
import type { SignedDelivery } from './signed-delivery.js';

/** Signs as Attio does: HMAC-SHA256 of the raw body with the webhook's secret, as hex. */
export function signAttio(secret: string, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body, 'utf8').digest('hex');
}

/** Options of {@link attioDelivery}. */
export interface AttioDeliveryOptions {
  /** The webhook's secret. */
  readonly secret: string;
  /** The events (Attio sends one per delivery today), or the exact body text. */
  readonly events: readonly object[] | string;
  /** The webhook that sends it. Default: a fixed sample id. */
  readonly webhookId?: string;
  /** `Idempotency-Key`, the same across a delivery's retries (Attio does not sign it). Default: a fresh UUID. */
  readonly idempotencyKey?: string;
}

/** Builds an Attio delivery signed as Attio signs it, with both signature headers. */
export function attioDelivery(options: AttioDeliveryOptions): SignedDelivery {
  const body = typeof options.events === 'string' ? options.events : JSON.stringify({ webhook_id: options.webhookId ?? SAMPLE_WEBHOOK_ID, events: options.events });
  const signature = signAttio(options.secret, body);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Attio 2.0 (https://attio.com/developers/using-webhooks)',
    'attio-signature': signature,
    'x-attio-signature': signature,
    'idempotency-key': options.idempotencyKey ?? randomUUID(),
  };
  const count = typeof options.events === 'string' ? undefined : options.events.length;
  const id = contentId(body);
  return { headers, body, ...(count !== undefined && { deliveryIds: count === 1 ? [id] : Array.from({ length: count }, (_, index) => `${id}:${index}`) }) };
}

const SAMPLE_WEBHOOK_ID = '23e42eaf-323a-41da-b5bb-fd67eebda553';
const WORKSPACE = '14beef7a-99f7-4534-a87e-70b564330a4c';
const ACTOR = { type: 'workspace-member', id: '50cf242c-7fa3-4cad-87d0-75b1af71c57b' } as const;

/**
 * A sample list entry event (a person added to, changed on, or removed from a list), the ids
 * Attio's reference uses, with overrides (`entry_id` and the others go in `id`).
 */
export function attioListEntrySample(
  type: 'list-entry.created' | 'list-entry.updated' | 'list-entry.deleted' = 'list-entry.created',
  overrides: { readonly workspaceId?: string; readonly listId?: string; readonly entryId?: string; readonly parentObjectId?: string; readonly parentRecordId?: string } = {},
): AttioListEntryEvent {
  return {
    event_type: type,
    id: {
      workspace_id: overrides.workspaceId ?? WORKSPACE,
      list_id: overrides.listId ?? '33ebdbe9-e529-47c9-b894-0ba25e9c15c0',
      entry_id: overrides.entryId ?? '2e6e29ea-c4e0-4f44-842d-78a891f8c156',
      ...(type === 'list-entry.updated' && { attribute_id: '41252299-f8c7-4b5e-99c9-4ff8321d2f96' }),
    },
    parent_object_id: overrides.parentObjectId ?? '97052eb9-e65e-443f-a297-f2d9a4a7f795',
    parent_record_id: overrides.parentRecordId ?? 'bf071e1f-6035-429d-b874-d83ea64ea13b',
    actor: ACTOR,
  };
}

/** A sample record event (`record.updated` names the attribute that changed). */
export function attioRecordSample(
  type: 'record.created' | 'record.updated' | 'record.merged' | 'record.deleted' = 'record.updated',
  overrides: { readonly workspaceId?: string; readonly recordId?: string } = {},
): AttioEvent {
  return {
    event_type: type,
    id: {
      workspace_id: overrides.workspaceId ?? WORKSPACE,
      object_id: '97052eb9-e65e-443f-a297-f2d9a4a7f795',
      record_id: overrides.recordId ?? 'bf071e1f-6035-429d-b874-d83ea64ea13b',
      ...(type === 'record.updated' && { attribute_id: '41252299-f8c7-4b5e-99c9-4ff8321d2f96' }),
    },
    actor: ACTOR,
  };
}
