import { randomUUID, type KeyObject } from 'node:crypto';
import {
  attioDelivery,
  attioListEntrySample,
  attioRecordSample,
  dataverseAssociateSample,
  dataverseDelivery,
  HIGHLEVEL_SAMPLE_EVENTS,
  highLevelDelivery,
  hubSpotAssociationSample,
  hubSpotDelivery,
  highLevelSample,
  SUPEROFFICE_SAMPLE_EVENTS,
  superOfficeDelivery,
  superOfficeSample,
  type HighLevelSamples,
  type SignedDelivery,
  type SuperOfficeSamples,
} from '@crmhooks/core/testing';
import { CliError } from './cli-error.js';

/** The CRMs the CLI can sign for. */
export const PROVIDERS = ['superoffice', 'highlevel', 'hubspot', 'attio', 'dataverse'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Events with a built-in sample payload, per provider. */
export const SAMPLE_EVENTS: Readonly<Record<ProviderName, readonly string[]>> = {
  superoffice: SUPEROFFICE_SAMPLE_EVENTS,
  highlevel: HIGHLEVEL_SAMPLE_EVENTS,
  hubspot: ['contact', 'company', 'deal', 'ticket', 'line_item', 'object'].map((object) => `${object}.associationChange`),
  attio: ['list-entry.created', 'list-entry.updated', 'list-entry.deleted', 'record.created', 'record.updated', 'record.merged', 'record.deleted'],
  dataverse: ['Associate', 'Disassociate'],
};

/** What a delivery is built from. */
export interface DeliveryOptions {
  readonly provider: string;
  readonly event: string;
  /** SuperOffice webhook secret, HubSpot client secret, Attio webhook secret, or the key a Dataverse webhook was registered with. */
  readonly secret?: string | undefined;
  /** Ed25519 private key for HighLevel's X-GHL-Signature. */
  readonly privateKey?: KeyObject | undefined;
  /** The exact body to sign and send, instead of the sample. */
  readonly data?: string | undefined;
  /** The URL the delivery goes to (HubSpot signs it). */
  readonly url?: string | undefined;
}

/**
 * Builds a delivery signed exactly as the provider signs it. Sample payloads get a
 * fresh delivery id each time, so each build is a new delivery; `data` is sent as is.
 */
export function buildDelivery(options: DeliveryOptions): SignedDelivery {
  const provider = checkProvider(options.provider);
  if (provider === 'hubspot') {
    if (!options.secret) throw new CliError("HubSpot deliveries are signed with the app's client secret: pass --secret (or set HUBSPOT_CLIENT_SECRET).");
    if (!options.url) throw new CliError('HubSpot signs the URL it calls: pass --url.');
    const type = sampleEvent<string>(provider, options.event, options.data !== undefined);
    // A sample is a batch of one change, with a fresh event id so each build is a new delivery.
    const events = options.data ?? [hubSpotAssociationSample({ subscriptionType: type, eventId: Math.floor(Math.random() * 2 ** 31), occurredAt: Date.now() })];
    return hubSpotDelivery({ secret: options.secret, url: options.url, events });
  }
  if (provider === 'attio') {
    if (!options.secret) throw new CliError("Attio deliveries are signed with the webhook's secret: pass --secret (or set ATTIO_WEBHOOK_SECRET).");
    if (options.data !== undefined) return attioDelivery({ secret: options.secret, events: options.data });
    const type = sampleEvent<string>(provider, options.event);
    // A fresh entry or record id, so each build is a new delivery.
    const event = type.startsWith('list-entry.')
      ? attioListEntrySample(type as Parameters<typeof attioListEntrySample>[0], { entryId: randomUUID() })
      : attioRecordSample(type as Parameters<typeof attioRecordSample>[0], { recordId: randomUUID() });
    return attioDelivery({ secret: options.secret, events: [event] });
  }
  if (provider === 'dataverse') {
    if (!options.secret) throw new CliError('Dataverse sends the key its webhook was registered with: pass --secret (or set DATAVERSE_WEBHOOK_KEY).');
    const context = options.data ?? dataverseAssociateSample(sampleEvent<'Associate' | 'Disassociate'>(provider, options.event));
    return dataverseDelivery({ key: options.secret, context });
  }
  if (provider === 'superoffice') {
    if (!options.secret) {
      throw new CliError('SuperOffice deliveries are signed with the webhook secret: pass --secret (or set SUPEROFFICE_WEBHOOK_SECRET).');
    }
    const payload = options.data ?? { ...superOfficeSample(sampleEvent<keyof SuperOfficeSamples>(provider, options.event)), EventId: randomUUID() };
    return superOfficeDelivery({ secret: options.secret, payload });
  }
  if (!options.privateKey) {
    throw new CliError('HighLevel deliveries are signed with an Ed25519 private key: pass --key FILE (make one with `crmhooks keygen`).');
  }
  if (options.data !== undefined) return highLevelDelivery({ payload: options.data, privateKey: options.privateKey });
  const type = sampleEvent<keyof HighLevelSamples>(provider, options.event);
  return highLevelDelivery({ type, payload: highLevelSample(type), privateKey: options.privateKey });
}

function checkProvider(provider: string): ProviderName {
  if ((PROVIDERS as readonly string[]).includes(provider)) return provider as ProviderName;
  throw new CliError(`Unknown provider "${provider}". Use one of: ${PROVIDERS.join(', ')}.`);
}

function sampleEvent<E extends string>(provider: ProviderName, event: string, ownBody = false): E {
  if (ownBody || SAMPLE_EVENTS[provider].includes(event)) return event as E;
  throw new CliError(
    `No sample payload for ${provider} event "${event}". Samples: ${SAMPLE_EVENTS[provider].join(', ')}. ` +
      'To send another event, pass its body with --data FILE.',
  );
}
