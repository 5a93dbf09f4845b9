import { createHash, timingSafeEqual } from 'node:crypto';
import { base64SignatureEquals, hmacSha256Base64, matchesOnlyWhenTrimmed, type HmacSecret } from '../../crypto/secrets.js';
import { InvalidSignatureError, MissingSignatureError, TimestampOutsideWindowError } from '../../errors/request-errors.js';
import type { DeliveryRequest } from '../provider.js';
import { signatureAdvice } from '../shared/signature-hints.js';

export const V3_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const LEGACY_HEADER = 'x-hubspot-signature';
const VERSION_HEADER = 'x-hubspot-signature-version';

/** What verification needs, prepared once. */
export interface HubSpotVerification {
  readonly secrets: readonly HmacSecret[];
  /** Raw secret strings, for the legacy v1/v2 hashes (secret + ... concatenated). */
  readonly legacySecrets: readonly string[] | undefined;
  readonly toleranceMs: number;
  /** Origin HubSpot called (`https://api.example.com`), when a proxy changes what this server sees. */
  readonly publicBaseUrl: string | undefined;
}

/** The escapes HubSpot decodes in the URI before signing. */
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};
const ESCAPE = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The URI HubSpot signed: the public URL it called, with the listed escapes decoded. */
export function signedUri(request: DeliveryRequest, publicBaseUrl: string | undefined): string {
  if (request.url === undefined) {
    throw new MissingSignatureError(
      'HubSpot signs the URL it called, but no URL was passed to receive(). Pass { url } (adapters do it for you).',
      'hubspot',
    );
  }
  let uri = request.url;
  if (publicBaseUrl !== undefined) {
    const seen = new URL(request.url);
    uri = publicBaseUrl.replace(/\/+$/, '') + seen.pathname + seen.search;
  }
  return uri.replace(ESCAPE, (escape) => DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

/**
 * v3: HMAC-SHA256 (base64) of method + URI + body + timestamp with the app's client
 * secret, timestamp within the tolerance. v1/v2 (hex SHA-256 of secret + ...) only if enabled.
 */
export function verifyHubSpotSignature(request: DeliveryRequest, verification: HubSpotVerification): void {
  const v3 = request.header(V3_HEADER);
  if (v3 !== undefined) return verifyV3(request, v3, verification);
  const legacy = request.header(LEGACY_HEADER);
  if (legacy === undefined) {
    throw new MissingSignatureError('The delivery has HubSpot headers but no X-HubSpot-Signature-v3.', 'hubspot');
  }
  if (verification.legacySecrets === undefined) {
    throw new MissingSignatureError(
      'The delivery is signed only with a v1/v2 X-HubSpot-Signature, which is not accepted. Move the app to v3 ' +
        'signatures, or pass hubspot({ acceptLegacySignatures: true }).',
      'hubspot',
    );
  }
  const version = request.header(VERSION_HEADER)?.toLowerCase() ?? 'v1';
  const method = (request.method ?? 'POST').toUpperCase();
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('utf8');
  const expected = Buffer.from(legacy.toLowerCase(), 'utf8');
  for (const secret of verification.legacySecrets) {
    const source = version === 'v2' ? secret + method + signedUri(request, verification.publicBaseUrl) + body : secret + body;
    const digest = Buffer.from(createHash('sha256').update(source, 'utf8').digest('hex'), 'utf8');
    if (digest.length === expected.length && timingSafeEqual(digest, expected)) return;
  }
  throw new InvalidSignatureError(`X-HubSpot-Signature (${version}) does not match the body and the client secret.`, 'hubspot');
}

function verifyV3(request: DeliveryRequest, signature: string, verification: HubSpotVerification): void {
  const timestamp = request.header(TIMESTAMP_HEADER);
  const sentAt = timestamp === undefined ? Number.NaN : Number(timestamp);
  if (!Number.isFinite(sentAt)) {
    throw new MissingSignatureError('X-HubSpot-Signature-v3 needs X-HubSpot-Request-Timestamp, which is missing or not a number.', 'hubspot');
  }
  const age = Date.now() - sentAt;
  if (Math.abs(age) > verification.toleranceMs) {
    const when = age > 0 ? `${Math.round(age / 1000)} s old` : `${Math.round(-age / 1000)} s in the future`;
    throw new TimestampOutsideWindowError(
      `X-HubSpot-Request-Timestamp is ${when}, outside the ${verification.toleranceMs / 1000} s HubSpot allows. ` +
        'A replayed request, or this server\'s clock is off.',
      'hubspot',
    );
  }
  const parts = [(request.method ?? 'POST').toUpperCase(), signedUri(request, verification.publicBaseUrl), request.body, timestamp!];
  for (const secret of verification.secrets) {
    if (base64SignatureEquals(hmacSha256Base64(secret.key, parts), signature)) return;
  }
  const which = verification.secrets.length === 1 ? 'the client secret' : `any of the ${verification.secrets.length} client secrets`;
  const advice = signatureAdvice({
    body: request.body,
    advice:
      ` HubSpot signs the URL it called: if a proxy or load balancer changes scheme, host or path, pass ` +
      `hubspot({ publicBaseUrl: 'https://your.public.host' }). Otherwise check the app's client secret.`,
    matchesTrimmedSecret: () =>
      matchesOnlyWhenTrimmed(verification.secrets, (key) => base64SignatureEquals(hmacSha256Base64(key, parts), signature)),
  });
  throw new InvalidSignatureError(`X-HubSpot-Signature-v3 does not match the request signed with ${which}.${advice}`, 'hubspot');
}
