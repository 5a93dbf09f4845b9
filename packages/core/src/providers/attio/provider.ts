import { secretVerifier, type SecretCacheOptions, type TenantSecretInput } from '../../crypto/tenant-secrets.js';
import { InvalidPayloadError, UnknownTenantError } from '../../errors/request-errors.js';
import { WebhookError } from '../../errors/webhook-error.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import { contentId } from '../shared/content-id.js';
import type { HeaderReader } from '../shared/headers.js';
import { expectJsonObject, idField, peekField, stringField, type JsonObject } from '../shared/json.js';
import { LIST_ENTRY_ACTIONS, listEntryToAssociation, type AttioAssociationEvent } from './association.js';
import type { AttioEventMap } from './event-map.js';
import { LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER, signatureOf, verifyAttioSignature } from './signature.js';
import type { AttioListEntryEvent } from './types.js';

/** Options of {@link attio}. */
export interface AttioOptions {
  /**
   * The webhook's secret, as Attio returned it when the webhook was created. Pass an array while
   * rotating. An app with a webhook per workspace passes a lookup instead: `(workspaceId) =>
   * secretOf(workspaceId)` gets the workspace a delivery is for (the path's tenant, or the
   * body's `id.workspace_id`) and returns its secret(s), or undefined for one it does not know
   * (answered 401); it may return a promise. Answers are cached (see `secretCache`).
   */
  readonly secret: TenantSecretInput;
  /** Bounds of the cache of a `secret` lookup's answers. Default: 10,000 workspaces, 5 minutes. */
  readonly secretCache?: SecretCacheOptions;
}

/** The Attio provider's type. `Extra`: event types this receiver declares besides the documented ones. */
export type AttioProvider<Extra extends string = never> = WebhookProvider<'attio', AttioEventMap<Extra>, AttioAssociationEvent>;

/**
 * Receives Attio webhooks: hex HMAC-SHA256 signatures over the raw body (`Attio-Signature`, or
 * `X-Attio-Signature`); each event of the body's `events` dispatched on its own; list entries (a
 * record's link to a list) as association events. The workspace is the tenant.
 *
 * Attio signs no event id and no time, and its `Idempotency-Key` header is not signed: an event
 * is named by the signed bytes of its delivery (and its place in them), which Attio's retries
 * resend unchanged. Two notifications with identical bytes (the same attribute of the same
 * record changed twice by the same actor) are therefore one: read the current value.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ providers: [attio({ secret: process.env.ATTIO_WEBHOOK_SECRET! })] });
 * webhooks.on('attio.list-entry.deleted', (event) => console.log(event.parent_record_id, 'left list', event.id.list_id));
 * ```
 */
export function attio<const Extra extends string = never>(options: AttioOptions): AttioProvider<Extra> {
  const verify = secretVerifier(
    options?.secret,
    { option: 'attio({ secret })', provider: 'attio', secretName: 'the secret Attio returned for the webhook' },
    options?.secretCache,
    { check: verifyAttioSignature, present: signatureOf, tenantOf: claimedWorkspace },
  );

  return {
    name: 'attio',
    displayName: 'Attio',
    signatureHeaders: ['Attio-Signature', 'X-Attio-Signature'],
    verifiedHeaders: [SIGNATURE_HEADER, LEGACY_SIGNATURE_HEADER],

    recognizes: (header: HeaderReader) => header(SIGNATURE_HEADER) !== undefined || header(LEGACY_SIGNATURE_HEADER) !== undefined,

    verify,

    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      const body = expectJsonObject(json, 'attio', 'Attio');
      if (!Array.isArray(body.events) || body.events.length === 0) {
        throw new InvalidPayloadError('The Attio body has no "events" array with an event in it, so there is nothing to dispatch.', 'attio');
      }
      const bodyId = contentId(request.body);
      const events = (body.events as unknown[]).map((item, index, all) => toEvent(item, index, all.length === 1 ? bodyId : `${bodyId}:${index}`));
      // One delivery comes from one workspace's webhook: the secret that verified it speaks for that workspace only.
      const stranger = events.find((event) => event.tenant !== events[0]!.tenant);
      if (stranger !== undefined) {
        throw new WebhookError(
          401,
          'tenant_mismatch',
          `The Attio delivery's events name two workspaces ("${events[0]!.tenant}" and "${stranger.tenant}"), but one delivery comes from one ` +
            "workspace's webhook, verified with that workspace's secret: refused, nothing ran.",
          { provider: 'attio' },
        );
      }
      return events;
    },
  };
}

function toEvent(item: unknown, index: number, deliveryId: string): ProviderEvent {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidPayloadError(`Attio event ${index} is not a JSON object.`, 'attio');
  }
  const event = item as JsonObject;
  const type = stringField(event.event_type);
  if (type === undefined) throw new InvalidPayloadError(`Attio event ${index} has no "event_type", so it cannot be named.`, 'attio');
  const name = `attio.${type}`;
  const tenant = workspaceOf(event);
  const action = LIST_ENTRY_ACTIONS.get(type);
  if (action === undefined) return { name, deliveryId, tenant, payload: event };
  const entry = event as unknown as AttioListEntryEvent;
  if (stringField(entry.id?.list_id) === undefined || stringField(entry.parent_record_id) === undefined) {
    throw new InvalidPayloadError(`Attio event ${index} (${type}) lacks id.list_id or parent_record_id, so the link it changed is unknown.`, 'attio');
  }
  return { name, deliveryId, tenant, payload: event, association: { action, build: () => listEntryToAssociation(name, entry, action, deliveryId) } };
}

const workspaceOf = (event: JsonObject): string | undefined =>
  typeof event.id === 'object' && event.id !== null ? idField((event.id as JsonObject).workspace_id) : undefined;

/** The workspace a delivery claims, to choose its secret: the path's tenant, else the first event's `id.workspace_id`. */
function claimedWorkspace(request: DeliveryRequest): string {
  const events = peekField(request.body, 'events');
  const first = Array.isArray(events) && typeof events[0] === 'object' && events[0] !== null ? workspaceOf(events[0] as JsonObject) : undefined;
  const tenant = request.tenant ?? first;
  if (tenant !== undefined) return tenant;
  throw new UnknownTenantError(
    'The Attio delivery names no workspace: its first event has no id.workspace_id (or the body is not JSON) and the path it was sent ' +
      'to names none, so there is no secret to verify it with. If the path names the workspace (/webhooks/attio/:tenant), check that ' +
      "the route's parameter is called tenant.",
    'attio',
    undefined,
  );
}
