import { randomUUID, type KeyObject } from 'node:crypto';
import {
  HIGHLEVEL_SAMPLE_EVENTS,
  highLevelDelivery,
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
export const PROVIDERS = ['superoffice', 'highlevel'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Events with a built-in sample payload, per provider. */
export const SAMPLE_EVENTS: Readonly<Record<ProviderName, readonly string[]>> = {
  superoffice: SUPEROFFICE_SAMPLE_EVENTS,
  highlevel: HIGHLEVEL_SAMPLE_EVENTS,
};

/** What a delivery is built from. */
export interface DeliveryOptions {
  readonly provider: string;
  readonly event: string;
  /** SuperOffice webhook secret. */
  readonly secret?: string | undefined;
  /** Ed25519 private key for HighLevel's X-GHL-Signature. */
  readonly privateKey?: KeyObject | undefined;
  /** The exact body to sign and send, instead of the sample. */
  readonly data?: string | undefined;
}

/**
 * Builds a delivery signed exactly as the provider signs it. Sample payloads get a
 * fresh delivery id each time, so each build is a new delivery; `data` is sent as is.
 */
export function buildDelivery(options: DeliveryOptions): SignedDelivery {
  const provider = checkProvider(options.provider);
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

function sampleEvent<E extends string>(provider: ProviderName, event: string): E {
  if (SAMPLE_EVENTS[provider].includes(event)) return event as E;
  throw new CliError(
    `No sample payload for ${provider} event "${event}". Samples: ${SAMPLE_EVENTS[provider].join(', ')}. ` +
      'To send another event, pass its body with --data FILE.',
  );
}
