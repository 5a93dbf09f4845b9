import { prepareSecrets, type SecretInput } from '../../crypto/secrets.js';
import { InvalidPayloadError } from '../../errors/request-errors.js';
import { expectJsonObject } from '../../receive/body.js';
import type { HeaderReader } from '../../receive/headers.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import { contentId } from '../shared/content-id.js';
import { eventNamer } from '../shared/event-names.js';
import { stringField } from '../shared/json-fields.js';
import {
  DEFAULT_TABLE_NAMES,
  RELATION_ACTIONS,
  relationToAssociation,
  type SuperOfficeAssociationEvent,
} from './association.js';
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
}

/** The SuperOffice provider's type. */
export type SuperOfficeProvider = WebhookProvider<'superoffice', SuperOfficeEventMap, SuperOfficeAssociationEvent>;

const EVENT_HEADER = 'x-superoffice-event';
const eventName = eventNamer('superoffice');
const EVENT_ID_HEADER = 'x-superoffice-eventid';
const TEST_HEADER = 'x-hook-test';

/**
 * Receives SuperOffice (NetServer) webhooks: HMAC-SHA256 signatures over the
 * raw body, `EventId` as the delivery id, `relation.*` as association events,
 * and the `test` event answered 200 without reaching entity handlers.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ providers: [superoffice({ secret: process.env.SUPEROFFICE_SECRET! })] });
 * webhooks.on('superoffice.relation.deleted', (event) => console.log(event.Values?.relation_id));
 * ```
 */
export function superoffice(options: SuperOfficeOptions): SuperOfficeProvider {
  const secrets = prepareSecrets(options?.secret, 'superoffice({ secret })');
  const tableNames = { ...DEFAULT_TABLE_NAMES, ...options.tableNames };

  return {
    name: 'superoffice',
    displayName: 'SuperOffice',
    signatureHeaders: ['X-SuperOffice-Signature'],
    // SuperOffice counts anything but exactly 200 as a failed delivery.
    requiredSuccessStatus: 200,

    recognizes: (header: HeaderReader) =>
      header(SIGNATURE_HEADER) !== undefined || header(EVENT_HEADER) !== undefined,

    verify: (request: DeliveryRequest) => verifySuperOfficeSignature(request, secrets),

    parse(json: unknown, request: DeliveryRequest): readonly ProviderEvent[] {
      const body = expectJsonObject(json, 'superoffice', 'SuperOffice');
      const event = stringField(body.Event) ?? request.header(EVENT_HEADER);
      const deliveryId = stringField(body.EventId) ?? request.header(EVENT_ID_HEADER) ?? contentId(request.body);

      if (event === 'test' || request.header(TEST_HEADER)?.toLowerCase() === 'true') {
        return [{ name: 'superoffice.test', deliveryId, payload: body, alwaysAcknowledge: true }];
      }
      if (!event) {
        throw new InvalidPayloadError(
          'The SuperOffice body has no "Event" field and there is no X-SuperOffice-Event header, so the event cannot be named.',
          'superoffice',
        );
      }
      const action = RELATION_ACTIONS.get(event);
      const name = eventName(event);
      if (action === undefined) return [{ name, deliveryId, payload: body }];
      const build = () => relationToAssociation(body as unknown as SuperOfficeRelationEvent, action, name, deliveryId, tableNames);
      return [{ name, deliveryId, payload: body, association: { action, build } }];
    },
  };
}
