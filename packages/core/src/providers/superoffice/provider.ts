import { prepareSecrets, type SecretInput } from '../../crypto/secrets.js';
import { InvalidPayloadError } from '../../errors/request-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import { contentId } from '../shared/content-id.js';
import type { HeaderReader } from '../shared/headers.js';
import { expectJsonObject, stringField } from '../shared/json.js';
import { checkSignedTime, known, replayWindow } from '../shared/signed-time.js';
import { DEFAULT_TABLE_NAMES, RELATION_ACTIONS, relationToAssociation, type SuperOfficeAssociationEvent } from './association.js';
import type { SuperOfficeEventMap } from './event-map.js';
import { SIGNATURE_HEADER, verifySuperOfficeSignature } from './signature.js';
import type { SuperOfficeRelationEvent } from './types.js';

/** Options of {@link superoffice}. */
export interface SuperOfficeOptions {
  /**
   * The webhook's secret as set in SuperOffice. Pass an array while rotating:
   * a delivery signed with any of them is accepted.
   */
  readonly secret: SecretInput;
  /**
   * Names for table numbers in association events (`from.objectType`).
   * Merged over the usual numbers: 2 associate, 5 contact, 6 person, 11 project, 13 sale.
   */
  readonly tableNames?: Readonly<Record<number, string>>;
  /**
   * Refuse deliveries whose signed body `Timestamp` is further than this from now (401).
   * Default: 24 hours, longer than SuperOffice's retries and as long as the default store
   * remembers ids, so a captured delivery can never be replayed. `false` turns it off.
   */
  readonly replayWindowMs?: number | false;
}

/** The SuperOffice provider's type. */
/**
 * The SuperOffice provider's type. `Extra`: event names this receiver declares besides the documented ones.
 */
export type SuperOfficeProvider<Extra extends string = never> = WebhookProvider<'superoffice', SuperOfficeEventMap<Extra>, SuperOfficeAssociationEvent>;

/**
 * Receives SuperOffice (NetServer) webhooks: HMAC-SHA256 signatures over the raw body;
 * the event name, the `test` event and the delivery id (`EventId`) read from the signed
 * body only, never from SuperOffice's unsigned headers; `relation.*` as association events.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ providers: [superoffice({ secret: process.env.SUPEROFFICE_SECRET! })] });
 * webhooks.on('superoffice.relation.deleted', (event) => console.log(event.Values?.relation_id));
 * ```
 *
 * Names a database adds (extra tables, lists, custom events) are declared, so they are typed and
 * a misspelling still does not compile: `superoffice<'y_equipment.created' | 'list.hotlist.created'>({ secret })`.
 */
export function superoffice<const Extra extends string = never>(options: SuperOfficeOptions): SuperOfficeProvider<Extra> {
  const secrets = prepareSecrets(options?.secret, 'superoffice({ secret })', 'the secret set on the SuperOffice webhook');
  const tableNames = { ...DEFAULT_TABLE_NAMES, ...options.tableNames };
  const windowMs = replayWindow(options.replayWindowMs, 'superoffice({ replayWindowMs })');

  return {
    name: 'superoffice',
    displayName: 'SuperOffice',
    signatureHeaders: ['X-SuperOffice-Signature'],
    verifiedHeaders: [SIGNATURE_HEADER],
    // SuperOffice counts anything but exactly 200 as a failed delivery, and retries those.
    requiredSuccessStatus: 200,

    recognizes: (header: HeaderReader) =>
      header(SIGNATURE_HEADER) !== undefined || header('x-superoffice-event') !== undefined,

    verify: (request: DeliveryRequest) => verifySuperOfficeSignature(request, secrets),

    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      const body = expectJsonObject(json, 'superoffice', 'SuperOffice');
      const signedAt = typeof body.Timestamp === 'string' ? Date.parse(body.Timestamp) : Number.NaN;
      checkSignedTime({
        sentAt: signedAt,
        receivedAt: request.receivedAt,
        windowMs,
        what: "The SuperOffice delivery's signed Timestamp",
        option: 'superoffice({ replayWindowMs })',
        provider: 'superoffice',
      });
      const event = stringField(body.Event);
      // A body without EventId is named by its bytes: a replay under a fresh header is still the same delivery.
      const deliveryId = stringField(body.EventId) ?? contentId(request.body);
      if (event === 'test') return [{ name: 'superoffice.test', deliveryId, signedAt: known(signedAt), payload: body, alwaysAcknowledge: true }];
      if (event === undefined) {
        throw new InvalidPayloadError(
          'The SuperOffice body has no "Event" field, so the event cannot be named (the unsigned X-SuperOffice-Event ' +
            'header is never trusted for that). Check that the body reaches crmhooks unchanged.',
          'superoffice',
        );
      }
      const name = `superoffice.${event}`;
      const action = RELATION_ACTIONS.get(event);
      if (action === undefined) return [{ name, deliveryId, signedAt: known(signedAt), payload: body }];
      const build = () => relationToAssociation(body as unknown as SuperOfficeRelationEvent, action, name, deliveryId, tableNames);
      return [{ name, deliveryId, signedAt: known(signedAt), payload: body, association: { action, build } }];
    },
  };
}
