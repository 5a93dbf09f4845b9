import { createHash } from 'node:crypto';
import {
  bytesEqual,
  decodeBase64Strict,
  decodeHexStrict,
  hmacSha256,
  matchesOnlyWhenTrimmed,
  type HmacSecret,
} from '../../crypto/secrets.js';
import { InvalidSignatureError, MissingSignatureError } from '../../errors/request-errors.js';
import type { DeliveryRequest } from '../provider.js';
import { checkSignedTime } from '../shared/signed-time.js';
import { signatureAdvice } from '../shared/signature-hints.js';

export const V3_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const LEGACY_HEADER = 'x-hubspot-signature';
export const VERSION_HEADER = 'x-hubspot-signature-version';

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
const ESCAPE = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The URIs HubSpot may have signed: the public URL it called, with the listed escapes decoded. */
export function signedUris(request: DeliveryRequest, publicBaseUrl: string | undefined): string[] {
  if (request.url === undefined) {
    throw new MissingSignatureError(
      'HubSpot signs the URL it called, but no URL was passed to receive(). Pass { url } (adapters do it for you).',
      'hubspot',
    );
  }
  const urls = typeof request.url === 'string' ? [request.url] : request.url;
  const uris = urls.map((url) => {
    if (publicBaseUrl === undefined) return url;
    const seen = new URL(url);
    return publicBaseUrl.replace(/\/+$/, '') + seen.pathname + seen.search;
  });
  return [...new Set(uris)].map((uri) => uri.replace(ESCAPE, (escape) => decodeURIComponent(escape)));
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
  const version = request.header(VERSION_HEADER)?.toLowerCase() === 'v2' ? 'v2' : 'v1';
  const signature = decodeHexStrict(legacy);
  const method = (request.method ?? 'POST').toUpperCase();
  const signedTails = version === 'v2' ? signedUris(request, verification.publicBaseUrl).map((uri) => [method, uri]) : [[]];
  for (const secret of verification.legacySecrets) {
    for (const tail of signedTails) {
      const digest = createHash('sha256').update(secret, 'utf8');
      for (const part of tail) digest.update(part, 'utf8');
      if (bytesEqual(digest.update(request.body).digest(), signature)) return;
    }
  }
  throw new InvalidSignatureError(`X-HubSpot-Signature (${version}) does not match the body and the client secret.`, 'hubspot');
}

function verifyV3(request: DeliveryRequest, header: string, verification: HubSpotVerification): void {
  const timestamp = request.header(TIMESTAMP_HEADER);
  const sentAt = timestamp === undefined ? Number.NaN : Number(timestamp);
  if (!Number.isFinite(sentAt)) {
    throw new MissingSignatureError('X-HubSpot-Signature-v3 needs X-HubSpot-Request-Timestamp, which is missing or not a number.', 'hubspot');
  }
  checkSignedTime({
    sentAt,
    receivedAt: request.receivedAt,
    windowMs: verification.toleranceMs,
    what: 'X-HubSpot-Request-Timestamp',
    option: 'hubspot({ timestampToleranceMs })',
    provider: 'hubspot',
  });
  const method = (request.method ?? 'POST').toUpperCase();
  const signed = signedUris(request, verification.publicBaseUrl).map((uri) => [method, uri, request.body, timestamp!]);
  const signature = decodeBase64Strict(header);
  const matches = (key: HmacSecret['key']) => signed.some((parts) => bytesEqual(hmacSha256(key, parts), signature));
  if (verification.secrets.some((secret) => matches(secret.key))) return;
  throw new InvalidSignatureError(
    'X-HubSpot-Signature-v3 does not match the request signed with the client secret.',
    'hubspot',
    signatureAdvice({
      body: request.body,
      advice:
        ' HubSpot signs the URL it called: if a proxy or load balancer changes scheme, host or path, pass ' +
        "hubspot({ publicBaseUrl: 'https://your.public.host' }). Otherwise check the app's client secret.",
      matchesTrimmedSecret: () => matchesOnlyWhenTrimmed(verification.secrets, matches),
    }),
  );
}
