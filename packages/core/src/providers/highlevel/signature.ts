import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { InvalidSignatureError, MissingSignatureError } from '../../errors/request-errors.js';
import { decodeBase64Strict } from '../../crypto/secrets.js';
import type { DeliveryRequest } from '../provider.js';
import { signatureAdvice } from '../shared/signature-hints.js';

export const ED25519_HEADER = 'x-ghl-signature';
export const LEGACY_RSA_HEADER = 'x-wh-signature';

/** Keys a HighLevel receiver trusts, parsed once. `legacyRsa` is undefined unless opted in. */
export interface HighLevelKeys {
  readonly ed25519: readonly KeyObject[];
  readonly legacyRsa: readonly KeyObject[] | undefined;
}

/** HighLevel sends the literal `N/A` when it has no signature for a scheme. */
export function signatureHeader(request: Pick<DeliveryRequest, 'header'>, name: string): string | undefined {
  const value = request.header(name);
  return value === undefined || value === '' || (value.length === 3 && value.toUpperCase() === 'N/A') ? undefined : value;
}

/**
 * Verifies `X-GHL-Signature` (Ed25519 over the raw body) whenever present;
 * falls back to the legacy `X-WH-Signature` (RSA-SHA256) only when opted in.
 */
export function verifyHighLevelSignature(request: DeliveryRequest, keys: HighLevelKeys): void {
  const ed25519 = signatureHeader(request, ED25519_HEADER);
  if (ed25519 !== undefined) {
    const signature = decodeBase64Strict(ed25519);
    if (signature && keys.ed25519.some((key) => safeVerify(null, request.body, key, signature))) return;
    throw mismatch('X-GHL-Signature', request.body);
  }

  const legacy = signatureHeader(request, LEGACY_RSA_HEADER);
  if (legacy === undefined) {
    throw new MissingSignatureError(
      'The delivery has HighLevel headers but no signature: X-GHL-Signature is missing or "N/A". ' +
        'HighLevel signs every webhook it sends; an unsigned request did not come from HighLevel.',
      'highlevel',
    );
  }
  if (keys.legacyRsa === undefined) {
    throw new MissingSignatureError(
      'The delivery is signed only with the legacy X-WH-Signature (RSA), which HighLevel stopped sending after ' +
        '2026-09-01, and legacy signatures are not accepted. If you must accept them, pass highlevel({ acceptLegacyRsa: true }).',
      'highlevel',
    );
  }
  const signature = decodeBase64Strict(legacy);
  if (signature && keys.legacyRsa.some((key) => safeVerify('sha256', request.body, key, signature))) return;
  throw mismatch('X-WH-Signature', request.body);
}

/** Malformed signatures make some key types throw; for us they are simply not a match. */
function safeVerify(algorithm: string | null, body: Uint8Array, key: KeyObject, signature: Buffer): boolean {
  try {
    return verifySignature(algorithm, body, key, signature);
  } catch {
    return false;
  }
}

function mismatch(header: string, body: Uint8Array): InvalidSignatureError {
  const advice = signatureAdvice({
    body,
    advice:
      ' If HighLevel has announced a new signing key, pass it in highlevel({ publicKeys }); if you sign test ' +
      'deliveries yourself, trust your own public key there.',
  });
  return new InvalidSignatureError(`${header} does not verify against the body with the trusted public keys.`, 'highlevel', advice);
}
