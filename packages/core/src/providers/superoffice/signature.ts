import { bytesEqual, decodeBase64Strict, hmacSha256, matchesOnlyWhenTrimmed, type HmacSecret } from '../../crypto/secrets.js';
import { InvalidSignatureError, MissingSignatureError } from '../../errors/request-errors.js';
import type { DeliveryRequest } from '../provider.js';
import { signatureAdvice } from '../shared/signature-hints.js';

export const SIGNATURE_HEADER = 'x-superoffice-signature';

/**
 * SuperOffice signs the raw body with HMAC-SHA256 keyed by the webhook secret (UTF-8)
 * and sends it base64-encoded. Only the body is signed: no header is covered.
 */
export function verifySuperOfficeSignature(request: DeliveryRequest, secrets: readonly HmacSecret[], tenant?: string): void {
  const header = signatureOf(request);
  const signature = decodeBase64Strict(header);
  const matches = (key: HmacSecret['key']) => bytesEqual(hmacSha256(key, [request.body]), signature);
  if (secrets.some((secret) => matches(secret.key))) return;
  if (signature?.length !== 32) {
    throw new InvalidSignatureError(
      'X-SuperOffice-Signature is not a base64 HMAC-SHA256 value (SuperOffice sends 44 base64 characters).',
      'superoffice',
      ' Check that nothing between SuperOffice and this server rewrites the header.',
    );
  }
  const whose = tenant === undefined ? 'the webhook secret' : `the secret of tenant "${tenant}"`;
  throw new InvalidSignatureError(
    `X-SuperOffice-Signature does not match the body signed with ${whose}.`,
    'superoffice',
    signatureAdvice({
      body: request.body,
      advice:
        tenant === undefined
          ? ' Check that superoffice({ secret }) holds the secret set on this webhook in SuperOffice ' +
            '(while rotating, pass both the old and the new one).'
          : ` Check that the secret lookup returns the secret set on tenant "${tenant}"'s webhook (while rotating, both ` +
            "the old and the new one); a body signed with another tenant's secret is refused.",
      matchesTrimmedSecret: () => matchesOnlyWhenTrimmed(secrets, matches),
    }),
    tenant,
  );
}

/** The signature header, or a 401 saying why there is none (checked before any secret is looked up). */
export function signatureOf(request: Pick<DeliveryRequest, 'header'>): string {
  const header = request.header(SIGNATURE_HEADER);
  if (header) return header;
  throw new MissingSignatureError(
    'The delivery has SuperOffice headers but no X-SuperOffice-Signature. SuperOffice signs deliveries only ' +
      'when the webhook has a secret: set one on the webhook in SuperOffice and pass the same to superoffice({ secret }).',
    'superoffice',
  );
}
