import { preparePublicKeys, type PublicKeyInput } from '../../crypto/public-keys.js';
import { ConfigurationError } from '../../errors/usage-errors.js';
import { InvalidPayloadError } from '../../errors/request-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import { contentId } from '../shared/content-id.js';
import type { HeaderReader } from '../shared/headers.js';
import { expectJsonObject, idField, stringField } from '../shared/json.js';
import { checkSignedTime, known, replayWindow } from '../shared/signed-time.js';
import { LINK_EVENTS, linkToAssociation, type HighLevelAssociationEvent } from './association.js';
import type { HighLevelEventMap, HighLevelLinkEventName, HighLevelOtherEventName } from './event-map.js';
import { HIGHLEVEL_ED25519_PUBLIC_KEY, HIGHLEVEL_LEGACY_RSA_PUBLIC_KEY } from './published-keys.js';
import { ED25519_HEADER, LEGACY_RSA_HEADER, verifyHighLevelSignature, type HighLevelKeys } from './signature.js';
import type { HighLevelLinkEvent } from './types.js';

/** Options of {@link highlevel}. Every option has a safe default. */
export interface HighLevelOptions {
  /**
   * Ed25519 public keys trusted for `X-GHL-Signature` (PEM or KeyObject; several while HighLevel rotates).
   * Default: the key HighLevel publishes.
   */
  readonly publicKeys?: PublicKeyInput | readonly PublicKeyInput[];
  /**
   * Also accept the legacy `X-WH-Signature` (RSA-SHA256) when a delivery has no `X-GHL-Signature`.
   * HighLevel stopped sending it after 2026-09-01. Default: false.
   */
  readonly acceptLegacyRsa?: boolean;
  /** RSA public keys for the legacy scheme. Default: the key HighLevel published. */
  readonly legacyPublicKeys?: PublicKeyInput | readonly PublicKeyInput[];
  /**
   * Event name for payloads that carry no `type`, when this endpoint receives one event only
   * (HighLevel's association and relation examples omit `type`). A body's own `type` wins.
   */
  readonly event?: HighLevelLinkEventName | HighLevelOtherEventName | (string & {});
  /**
   * Refuse deliveries whose signed body `timestamp` is further than this from now (401).
   * Default: 24 hours: HighLevel retries for about an hour and may not refresh `timestamp`
   * on retry, and the default store remembers ids for 24 hours, so a captured delivery can
   * never be replayed. `false` turns it off. A body without `timestamp` cannot be checked.
   */
  readonly replayWindowMs?: number | false;
}

/** The HighLevel provider's type. */
/** The HighLevel provider's type. `Extra`: event names this receiver declares besides the documented ones. */
export type HighLevelProvider<Extra extends string = never> = WebhookProvider<'highlevel', HighLevelEventMap<Extra>, HighLevelAssociationEvent>;

/**
 * Receives HighLevel webhooks: `X-GHL-Signature` (Ed25519) checked against
 * HighLevel's published key or your own, the body's `type` as the event name,
 * `webhookId` as the delivery id, and association/relation events normalized.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ providers: [highlevel()] });
 * webhooks.on('highlevel.RelationCreate', (relation) => link(relation.firstRecordId, relation.secondRecordId));
 * ```
 */
export function highlevel<const Extra extends string = never>(options: HighLevelOptions = {}): HighLevelProvider<Extra> {
  if (options.legacyPublicKeys !== undefined && !options.acceptLegacyRsa) {
    throw new ConfigurationError('highlevel({ legacyPublicKeys }) has no effect without acceptLegacyRsa: true.');
  }
  const keys: HighLevelKeys = {
    ed25519: preparePublicKeys(options.publicKeys ?? HIGHLEVEL_ED25519_PUBLIC_KEY, 'ed25519', 'highlevel({ publicKeys })'),
    legacyRsa: options.acceptLegacyRsa
      ? preparePublicKeys(options.legacyPublicKeys ?? HIGHLEVEL_LEGACY_RSA_PUBLIC_KEY, 'rsa', 'highlevel({ legacyPublicKeys })')
      : undefined,
  };
  const windowMs = replayWindow(options.replayWindowMs, 'highlevel({ replayWindowMs })');
  const pinnedEvent = options.event;

  return {
    name: 'highlevel',
    displayName: 'HighLevel',
    signatureHeaders: ['X-GHL-Signature'],
    verifiedHeaders: [ED25519_HEADER, LEGACY_RSA_HEADER],
    // HighLevel retries a delivery answered 429 and no other status: a 5xx loses the event.
    retryStatus: 429,

    recognizes: (header: HeaderReader) =>
      header(ED25519_HEADER) !== undefined || header(LEGACY_RSA_HEADER) !== undefined,

    verify: (request: DeliveryRequest) => verifyHighLevelSignature(request, keys),

    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      const body = expectJsonObject(json, 'highlevel', 'HighLevel');
      const signedAt = typeof body.timestamp === 'string' ? Date.parse(body.timestamp) : Number.NaN;
      checkSignedTime({
        sentAt: signedAt,
        receivedAt: request.receivedAt,
        windowMs,
        what: "The HighLevel delivery's signed timestamp",
        option: 'highlevel({ replayWindowMs })',
        provider: 'highlevel',
      });
      const type = stringField(body.type) ?? pinnedEvent;
      if (type === undefined) {
        throw new InvalidPayloadError(
          'The HighLevel body has no "type" field, so the event cannot be named. If this endpoint receives ' +
            "a single event, pin it: highlevel({ event: 'RelationCreate' }).",
          'highlevel',
        );
      }
      const deliveryId = stringField(body.webhookId) ?? contentId(request.body);
      // A location's events name it; agency-level ones (an app installed for a whole agency) only the company.
      const tenant = idField(body.locationId) ?? idField(body.companyId);
      const kind = LINK_EVENTS.get(type);
      const name = `highlevel.${type}`;
      if (kind === undefined) return [{ name, deliveryId, tenant, signedAt: known(signedAt), payload: body }];
      const build = () => linkToAssociation(name, body as unknown as HighLevelLinkEvent, kind, deliveryId, tenant);
      return [{ name, deliveryId, tenant, signedAt: known(signedAt), payload: body, association: { action: kind.action, build } }];
    },
  };
}
