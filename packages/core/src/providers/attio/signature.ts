import { bytesEqual, decodeHexStrict, hmacSha256, matchesOnlyWhenTrimmed, type HmacSecret } from '../../crypto/secrets.js';
import { InvalidSignatureError, MissingSignatureError } from '../../errors/request-errors.js';
import type { DeliveryRequest } from '../provider.js';
import { signatureAdvice } from '../shared/signature-hints.js';

export const SIGNATURE_HEADER = 'attio-signature';
/** The same value, for middleware that passes only `X-` headers. */
export const LEGACY_SIGNATURE_HEADER = 'x-attio-signature';

/**
 * Attio signs the raw body with HMAC-SHA256 keyed by the webhook's secret and sends it as hex.
 * Nothing else is signed: no time, no id, no header.
 */
export function verifyAttioSignature(request: DeliveryRequest, secrets: readonly HmacSecret[], tenant?: string): void {
  const header = signatureOf(request);
  const signature = decodeHexStrict(header);
  const matches = (key: HmacSecret['key']) => bytesEqual(hmacSha256(key, [request.body]), signature);
  if (secrets.some((secret) => matches(secret.key))) return;
  if (signature?.length !== 32) {
    throw new InvalidSignatureError(
      'Attio-Signature is not a hex HMAC-SHA256 value (Attio sends 64 hex characters).',
      'attio',
      ' Check that nothing between Attio and this server rewrites the header.',
    );
  }
  const whose = tenant === undefined ? "the webhook's secret" : `the secret of workspace "${tenant}"`;
  throw new InvalidSignatureError(
    `Attio-Signature does not match the body signed with ${whose}.`,
    'attio',
    signatureAdvice({
      body: request.body,
      advice:
        tenant === undefined
          ? " Check that attio({ secret }) holds the secret Attio returned when the webhook was created (also shown in Attio's developer " +
            'settings); while rotating, pass both the old and the new one.'
          : ` Check that the secret lookup returns the secret of workspace "${tenant}"'s webhook (while rotating, both the old and the new ` +
            "one); a body signed with another workspace's secret is refused.",
      matchesTrimmedSecret: () => matchesOnlyWhenTrimmed(secrets, matches),
    }),
    tenant,
  );
}

/** The signature header (either name), or a 401 saying why there is none. */
export function signatureOf(request: Pick<DeliveryRequest, 'header'>): string {
  const header = request.header(SIGNATURE_HEADER) ?? request.header(LEGACY_SIGNATURE_HEADER);
  if (header) return header;
  throw new MissingSignatureError(
    'The delivery has Attio headers but no Attio-Signature (nor X-Attio-Signature). Attio signs every webhook delivery: check that ' +
      'a proxy in front of this server does not drop the header.',
    'attio',
  );
}
