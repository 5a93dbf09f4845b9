import { createSecretKey } from 'node:crypto';
import { bytesEqual, hmacSha256, matchesOnlyWhenTrimmed, type HmacSecret } from '../../crypto/secrets.js';
import { InvalidSignatureError, MissingSignatureError } from '../../errors/request-errors.js';
import type { DeliveryRequest } from '../provider.js';

/** Where a Dataverse webhook carries its key, as its registration chose. */
export interface KeyPlace {
  /** The header named at registration (HttpHeader authentication), lower case. */
  readonly header: string;
  /** Whether the `code` query parameter (WebhookKey authentication) is accepted too. */
  readonly query: boolean;
}

/** The query parameter of WebhookKey authentication. */
export const QUERY_KEY = 'code';

/**
 * Dataverse signs nothing: it sends the key its webhook was registered with. Compared in constant
 * time (both sides hashed to the same length first), so the time taken tells nothing of the key.
 */
export function verifyDataverseKey(request: DeliveryRequest, keys: readonly HmacSecret[], place: KeyPlace, tenant?: string): void {
  const presented = keyOf(request, place);
  const digest = (key: HmacSecret['key']) => hmacSha256(key, ['crmhooks dataverse key']);
  const given = digest(createSecretKey(Buffer.from(presented, 'utf8')));
  const matches = (key: HmacSecret['key']) => bytesEqual(digest(key), given);
  if (keys.some((key) => matches(key.key))) return;
  const whose = tenant === undefined ? 'the configured key' : `the key of organization "${tenant}"`;
  const trimmed = matchesOnlyWhenTrimmed(keys, matches)
    ? ' It does match once surrounding whitespace is removed from a configured key: trim the key.'
    : tenant === undefined
      ? ' Check that dataverse({ key }) holds the value the webhook was registered with (while rotating, both the old and the new one).'
      : ` Check that the key lookup returns the value organization "${tenant}"'s webhook was registered with.`;
  throw new InvalidSignatureError(`The Dataverse delivery's key does not match ${whose}.`, 'dataverse', trimmed, tenant);
}

/** The key the request carries, or a 401 saying where it was looked for. */
export function keyOf(request: Pick<DeliveryRequest, 'header' | 'url'>, place: KeyPlace): string {
  const header = request.header(place.header);
  if (header) return header;
  const code = queryCode(request.url);
  if (code && place.query) return code;
  if (code) {
    throw new MissingSignatureError(
      `The Dataverse delivery carries its key in the "${QUERY_KEY}" query parameter (WebhookKey authentication), which this receiver does ` +
        `not accept: a key in a URL ends up in access logs. Register the webhook with HttpHeader authentication and a "${place.header}" ` +
        'header instead, or pass dataverse({ acceptQueryKey: true }).',
      'dataverse',
    );
  }
  throw new MissingSignatureError(
    `The Dataverse delivery carries no key: no "${place.header}" header${place.query ? ` and no "${QUERY_KEY}" query parameter` : ''}. ` +
      `Register the webhook with HttpHeader authentication, key "${place.header}" and your key as its value (or set dataverse({ keyHeader }) ` +
      'to the header it was registered with).',
    'dataverse',
  );
}

function queryCode(url: string | readonly string[] | undefined): string | undefined {
  const first = typeof url === 'string' ? url : url?.[0];
  if (first === undefined) return undefined;
  try {
    return new URL(first).searchParams.get(QUERY_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
