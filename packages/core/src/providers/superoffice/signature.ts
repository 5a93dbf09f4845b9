import { MissingSignatureError, InvalidSignatureError } from '../../errors/request-errors.js';
import {
  base64SignatureEquals,
  decodeBase64Strict,
  hmacSha256Base64,
  matchesOnlyWhenTrimmed,
  type HmacSecret,
} from '../../crypto/secrets.js';
import { signatureAdvice } from '../shared/signature-hints.js';
import type { DeliveryRequest } from '../provider.js';

export const SIGNATURE_HEADER = 'x-superoffice-signature';
const HMAC_SHA256_BYTES = 32;

/**
 * SuperOffice signs the raw body with HMAC-SHA256 keyed by the webhook secret
 * (UTF-8) and sends it base64-encoded. There is no timestamp in the scheme.
 */
export function verifySuperOfficeSignature(request: DeliveryRequest, secrets: readonly HmacSecret[]): void {
  const signature = request.header(SIGNATURE_HEADER);
  if (!signature) {
    throw new MissingSignatureError(
      'The delivery has SuperOffice headers but no X-SuperOffice-Signature. SuperOffice signs deliveries only ' +
        'when the webhook has a secret: set one on the webhook in SuperOffice and pass the same to superoffice({ secret }).',
      'superoffice',
    );
  }
  for (const secret of secrets) {
    if (base64SignatureEquals(hmacSha256Base64(secret.key, request.body), signature)) return;
  }
  throw new InvalidSignatureError(describeMismatch(request, signature, secrets), 'superoffice');
}

function describeMismatch(request: DeliveryRequest, signature: string, secrets: readonly HmacSecret[]): string {
  if (decodeBase64Strict(signature)?.length !== HMAC_SHA256_BYTES) {
    return (
      'X-SuperOffice-Signature is not a base64 HMAC-SHA256 value (SuperOffice sends 44 base64 characters). ' +
      'Check that nothing between SuperOffice and this server rewrites the header.'
    );
  }
  const which = secrets.length === 1 ? 'the configured secret' : `any of the ${secrets.length} configured secrets`;
  const advice = signatureAdvice({
    body: request.body,
    advice:
      ' Check that superoffice({ secret }) holds the secret set on this webhook in SuperOffice' +
      (secrets.length > 1 ? ' (while rotating, keep the old and the new one).' : '.'),
    matchesTrimmedSecret: () =>
      matchesOnlyWhenTrimmed(secrets, (key) => base64SignatureEquals(hmacSha256Base64(key, request.body), signature)),
  });
  return `X-SuperOffice-Signature does not match the body signed with ${which}.${advice}`;
}
