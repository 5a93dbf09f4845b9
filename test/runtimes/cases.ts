/** The deliveries every runtime is sent: per CRM a genuine one, a forged one, the genuine one again, and one signed two days ago. */
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  hubSpotAssociationSample,
  hubSpotDelivery,
  superOfficeDelivery,
  superOfficeSample,
  type SignedDelivery,
} from '@crmhooks/core/testing';

export interface SentCase {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface ConformanceCases {
  readonly config: { superOfficeSecret: string; highLevelPublicKey: string; hubSpotSecret: string };
  readonly cases: SentCase[];
  /** What each case must be answered, by name: status and error code. */
  readonly expected: { name: string; status: number; code: string | null }[];
  /** What the app must have dispatched: each genuine delivery once. */
  readonly dispatched: string[];
}

/** Where HubSpot is told the app listens: it signs this URL, and the Web handler must see the same. */
export const HOOK_URL = 'https://hooks.example.com/webhooks/crm';
const HOUR_MS = 60 * 60 * 1000;
/** Older than every provider's replay window (SuperOffice and HighLevel: 24 h by default; HubSpot: 5 min). */
const TWO_DAYS_MS = 48 * HOUR_MS;

export function conformanceCases(): ConformanceCases {
  const superOfficeSecret = 'conformance-superoffice-secret';
  const hubSpotSecret = 'conformance-hubspot-secret';
  const key = generateHighLevelKeyPair();
  const stranger = generateHighLevelKeyPair();
  const old = new Date(Date.now() - TWO_DAYS_MS).toISOString();

  const so = superOfficeDelivery({ secret: superOfficeSecret, payload: superOfficeSample('relation.created') });
  const hl = highLevelDelivery({ payload: highLevelSample('RelationCreate'), privateKey: key.privateKey });
  const hs = hubSpotDelivery({ secret: hubSpotSecret, url: HOOK_URL, events: [hubSpotAssociationSample()] });
  const four = (provider: string, genuine: SignedDelivery, forged: SignedDelivery, stale: SignedDelivery) => [
    { name: `${provider} genuine`, delivery: genuine, status: 200, code: null },
    { name: `${provider} forged`, delivery: forged, status: 401, code: 'signature_invalid' },
    { name: `${provider} duplicate`, delivery: genuine, status: 200, code: null },
    { name: `${provider} signed two days ago`, delivery: stale, status: 401, code: 'timestamp_outside_window' },
  ];
  const all = [
    ...four(
      'SuperOffice',
      so,
      superOfficeDelivery({ secret: 'not-the-secret', payload: superOfficeSample('relation.created') }),
      superOfficeDelivery({ secret: superOfficeSecret, payload: { ...superOfficeSample('relation.created'), EventId: 'stale-event', Timestamp: old } }),
    ),
    ...four(
      'HighLevel',
      hl,
      highLevelDelivery({ payload: highLevelSample('RelationCreate'), privateKey: stranger.privateKey }),
      highLevelDelivery({ payload: highLevelSample('RelationCreate'), privateKey: key.privateKey, timestamp: old }),
    ),
    ...four(
      'HubSpot',
      hs,
      hubSpotDelivery({ secret: 'not-the-secret', url: HOOK_URL, events: [hubSpotAssociationSample()] }),
      hubSpotDelivery({ secret: hubSpotSecret, url: HOOK_URL, events: [hubSpotAssociationSample({ eventId: 2 })], timestamp: Date.now() - TWO_DAYS_MS }),
    ),
  ];
  return {
    config: { superOfficeSecret, highLevelPublicKey: key.publicKey, hubSpotSecret },
    cases: all.map(({ name, delivery }) => ({ name, url: HOOK_URL, headers: delivery.headers, body: delivery.body })),
    expected: all.map(({ name, status, code }) => ({ name, status, code })),
    dispatched: [
      `superoffice.relation.created ${so.deliveryIds![0]}`,
      `highlevel.RelationCreate ${hl.deliveryIds![0]}`,
      `hubspot.contact.associationChange ${hs.deliveryIds![0]}`,
    ],
  };
}
