import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { contentId } from '../providers/shared/content-id.js';
import type { SignedDelivery } from './signed-delivery.js';

/** A key pair for signing test deliveries: trust `publicKey` in `highlevel({ publicKeys })`. */
export interface TestKeyPair {
  /** SPKI PEM text. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** Creates an Ed25519 key pair, the scheme of `X-GHL-Signature`. */
export function generateHighLevelKeyPair(): TestKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** Creates an RSA key pair for the legacy `X-WH-Signature` (4096-bit like HighLevel's; smaller is faster in tests). */
export function generateLegacyRsaKeyPair(modulusLength = 4096): TestKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** Signs a body as HighLevel does for `X-GHL-Signature`: Ed25519 over the raw bytes, base64. */
export function signHighLevel(body: string | Uint8Array, privateKey: KeyObject): string {
  return sign(null, Buffer.from(body), privateKey).toString('base64');
}

/** Signs a body as HighLevel did for the legacy `X-WH-Signature`: RSA-SHA256 (PKCS#1 v1.5), base64. */
export function signHighLevelLegacy(body: string | Uint8Array, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(body), privateKey).toString('base64');
}

/** Options of {@link highLevelDelivery}. */
export interface HighLevelDeliveryOptions {
  /** Ed25519 key for `X-GHL-Signature`. Omit to send `N/A` in that header. */
  readonly privateKey?: KeyObject;
  /** RSA key for the legacy `X-WH-Signature`. Omit to send `N/A` in that header. */
  readonly legacyPrivateKey?: KeyObject;
  /** The payload: an object (envelope added, then serialized) or the exact body text (sent as is). */
  readonly payload: object | string;
  /** Event name put in the body's `type`, over the payload's own (samples carry theirs). */
  readonly type?: string;
  /** `webhookId` for the envelope; a random UUID by default, `null` to leave it out. */
  readonly webhookId?: string | null;
  /** `timestamp` for the envelope; now by default, `null` to leave it out. */
  readonly timestamp?: string | null;
}

/** Builds a signed HighLevel delivery: the envelope HighLevel adds, and its signature headers. */
export function highLevelDelivery(options: HighLevelDeliveryOptions): SignedDelivery {
  const envelope = typeof options.payload === 'string' ? undefined : withEnvelope(options);
  const body = envelope === undefined ? (options.payload as string) : JSON.stringify(envelope);
  return {
    deliveryIds: [envelope?.webhookId ?? contentId(Buffer.from(body))],
    headers: {
      'content-type': 'application/json',
      'x-ghl-signature': options.privateKey ? signHighLevel(body, options.privateKey) : 'N/A',
      'x-wh-signature': options.legacyPrivateKey ? signHighLevelLegacy(body, options.legacyPrivateKey) : 'N/A',
    },
    body,
  };
}

function withEnvelope(options: HighLevelDeliveryOptions): { readonly webhookId?: string } {
  const webhookId = options.webhookId === undefined ? randomUUID() : options.webhookId;
  const timestamp = options.timestamp === undefined ? new Date().toISOString() : options.timestamp;
  const payload = options.payload as { readonly type?: unknown };
  const type = options.type ?? payload.type;
  // `type` first, as HighLevel sends it, and the option over the payload's own.
  return {
    ...(type !== undefined && { type }),
    ...payload,
    ...(type !== undefined && { type }),
    ...(timestamp !== null && { timestamp }),
    ...(webhookId !== null && { webhookId }),
  };
}
