import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors/usage-errors.js';

/** One shared secret, or several while rotating (any of them is accepted). */
export type SecretInput = string | readonly string[];

/** A configured shared secret, keyed once at construction. */
export interface HmacSecret {
  readonly key: KeyObject;
  /** The same secret trimmed, when the configured one has surrounding whitespace (a copy-paste slip). */
  readonly trimmedKey: KeyObject | undefined;
}

/**
 * Why a secret or key option is most likely empty (`process.env.X ?? ''` with X unset), and the fix.
 */
export const EMPTY_OPTION_HINT =
  'If it is read from an environment variable, that variable is not set in this process: set it, or leave ' +
  'this provider out of createWebhooks({ providers }) if you do not receive its webhooks.';

/**
 * Validates and keys secrets once; throws a ConfigurationError naming the option and, for
 * an empty string, its likely cause. `secretName` says what the option holds.
 */
export function prepareSecrets(input: SecretInput | undefined, optionName: string, secretName: string): readonly HmacSecret[] {
  const list = typeof input === 'string' ? [input] : input;
  if (list === undefined || list.length === 0) {
    throw new ConfigurationError(
      `${optionName} is required: pass ${secretName} (or an array of them while rotating).`,
    );
  }
  return list.map((secret, index) => {
    if (typeof secret !== 'string' || secret.length === 0) {
      const which = typeof input === 'string' ? optionName : `${optionName}[${index}]`;
      throw new ConfigurationError(
        `${which} is ${secret === '' ? 'an empty string' : `not a string (${typeof secret})`}: it must be ${secretName}. ${EMPTY_OPTION_HINT}`,
      );
    }
    const trimmed = secret.trim();
    return {
      key: createSecretKey(Buffer.from(secret, 'utf8')),
      trimmedKey: trimmed !== secret && trimmed ? createSecretKey(Buffer.from(trimmed, 'utf8')) : undefined,
    };
  });
}

/** HMAC-SHA256 of the given parts, in order. */
export function hmacSha256(key: KeyObject, parts: readonly (Uint8Array | string)[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Whether two byte strings are equal, in time that depends only on their length. */
export function bytesEqual(expected: Uint8Array, provided: Uint8Array | undefined): boolean {
  return provided !== undefined && provided.byteLength === expected.byteLength && timingSafeEqual(provided, expected);
}

/**
 * Decodes standard base64 (padding optional); undefined for anything else, where Node would
 * decode leniently (skipping stray characters). Checked by encoding the bytes again: only the
 * one canonical spelling of them comes back.
 */
export function decodeBase64Strict(value: string): Buffer | undefined {
  const decoded = Buffer.from(value, 'base64');
  const padded = value.length % 4 === 0 ? value : value + '='.repeat(4 - (value.length % 4));
  return decoded.toString('base64') === padded ? decoded : undefined;
}

/** Decodes hexadecimal text (either case); undefined for anything else. */
export function decodeHexStrict(value: string): Buffer | undefined {
  return value.length % 2 === 0 && /^[0-9a-f]*$/i.test(value) ? Buffer.from(value, 'hex') : undefined;
}

/**
 * After every secret failed: does a trimmed variant of a secret with
 * surrounding whitespace match? Runs only on the failure path.
 */
export function matchesOnlyWhenTrimmed(secrets: readonly HmacSecret[], matches: (key: KeyObject) => boolean): boolean {
  return secrets.some((secret) => secret.trimmedKey !== undefined && matches(secret.trimmedKey));
}
