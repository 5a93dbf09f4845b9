import { secretVerifier, type SecretCacheOptions, type TenantSecretInput } from '../../crypto/tenant-secrets.js';
import { InvalidPayloadError, UnknownTenantError } from '../../errors/request-errors.js';
import type { DeliveryRequest, ProviderEvent, WebhookProvider } from '../provider.js';
import { contentId } from '../shared/content-id.js';
import type { HeaderReader } from '../shared/headers.js';
import { expectJsonObject, idField, peekField, stringField } from '../shared/json.js';
import { checkSignedTime, known, replayWindow } from '../shared/signed-time.js';
import { DEFAULT_TABLE_NAMES, RELATION_ACTIONS, relationToAssociation, type SuperOfficeAssociationEvent } from './association.js';
import type { SuperOfficeEventMap } from './event-map.js';
import { SIGNATURE_HEADER, signatureOf, verifySuperOfficeSignature } from './signature.js';
import type { SuperOfficeRelationEvent } from './types.js';

/** Options of {@link superoffice}. */
export interface SuperOfficeOptions {
  /**
   * The webhook's secret as set in SuperOffice. Pass an array while rotating: a delivery signed
   * with any of them is accepted. An app with a webhook per customer, each with its own secret,
   * passes a lookup instead: `(tenant) => secretOf(tenant)` gets the tenant a delivery is for
   * (the path's, or the body's `ContextIdentifier`) and returns that tenant's secret(s), or
   * undefined for a tenant it does not know (answered 401); it may return a promise. Answers are
   * cached (see `secretCache`); a lookup that throws answers the delivery so SuperOffice retries.
   */
  readonly secret: TenantSecretInput;
  /** Bounds of the cache of a `secret` lookup's answers. Default: 10,000 tenants, 5 minutes. */
  readonly secretCache?: SecretCacheOptions;
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
  const verify = secretVerifier(
    options?.secret,
    { option: 'superoffice({ secret })', provider: 'superoffice', secretName: 'the secret set on the SuperOffice webhook' },
    options?.secretCache,
    { check: verifySuperOfficeSignature, present: signatureOf, tenantOf: claimedTenant },
  );
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

    verify,

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
      const tenant = idField(body.ContextIdentifier);
      // A body without EventId is named by its bytes: a replay under a fresh header is still the same delivery.
      const deliveryId = stringField(body.EventId) ?? contentId(request.body);
      if (event === 'test') return [{ name: 'superoffice.test', deliveryId, tenant, signedAt: known(signedAt), payload: body, alwaysAcknowledge: true }];
      if (event === undefined) {
        throw new InvalidPayloadError(
          'The SuperOffice body has no "Event" field, so the event cannot be named (the unsigned X-SuperOffice-Event ' +
            'header is never trusted for that). Check that the body reaches crmhooks unchanged.',
          'superoffice',
        );
      }
      const name = `superoffice.${event}`;
      const action = RELATION_ACTIONS.get(event);
      if (action === undefined) return [{ name, deliveryId, tenant, signedAt: known(signedAt), payload: body }];
      const build = () => relationToAssociation(body as unknown as SuperOfficeRelationEvent, action, name, deliveryId, tableNames, tenant);
      return [{ name, deliveryId, tenant, signedAt: known(signedAt), payload: body, association: { action, build } }];
    },
  };
}

/** The tenant a delivery claims, to choose its secret: the path's, else the body's ContextIdentifier. */
function claimedTenant(request: DeliveryRequest): string {
  const tenant = request.tenant ?? idField(peekField(request.body, 'ContextIdentifier'));
  if (tenant !== undefined) return tenant;
  throw new UnknownTenantError(
    'The SuperOffice delivery names no tenant: its body has no ContextIdentifier (or is not JSON) and the path it was ' +
      'sent to names none, so there is no secret to verify it with. SuperOffice puts ContextIdentifier in every body; ' +
      "if the path names the tenant (/webhooks/superoffice/:tenant), check that the route's parameter is called tenant.",
    'superoffice',
    undefined,
  );
}
