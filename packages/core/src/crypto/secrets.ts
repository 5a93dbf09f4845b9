import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors/usage-errors.js';

/** One shared secret, or several while rotating (any of them is accepted). */
export type SecretInput = string | readonly string[];

/** A configured shared secret, keyed once at construction. */
export interface HmacSecret {
  readonly key: KeyObject;
  /** Whether the configured string has leading or trailing whitespace (a common copy-paste slip). */
  readonly hasSurroundingWhitespace: boolean;
  /** The same secret trimmed, for diagnosing that slip after a failed check. */
  readonly trimmedKey: KeyObject | undefined;
}

/** Validates and keys secrets once; throws a ConfigurationError naming the option. */
export function prepareSecrets(input: SecretInput | undefined, optionName: string): readonly HmacSecret[] {
  const list = typeof input === 'string' ? [input] : input;
  if (list === undefined || list.length === 0) {
    throw new ConfigurationError(
      `${optionName} is required: pass the webhook's secret (or an array of secrets while rotating).`,
    );
  }
  return list.map((secret, index) => {
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new ConfigurationError(`${optionName}[${index}] must be a non-empty string.`);
    }
    const trimmed = secret.trim();
    const hasSurroundingWhitespace = trimmed !== secret;
    return {
      key: createSecretKey(Buffer.from(secret, 'utf8')),
      hasSurroundingWhitespace,
      trimmedKey: hasSurroundingWhitespace && trimmed ? createSecretKey(Buffer.from(trimmed, 'utf8')) : undefined,
    };
  });
}

/** HMAC-SHA256 of the given parts, in order. */
export function hmacSha256(key: KeyObject, parts: Uint8Array | string | readonly (Uint8Array | string)[]): Buffer {
  const hmac = createHmac('sha256', key);
  if (Array.isArray(parts)) for (const part of parts as readonly (Uint8Array | string)[]) hmac.update(part);
  else hmac.update(parts as Uint8Array | string);
  return hmac.digest();
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes standard base64 (padding optional); undefined for anything else, where Node would decode leniently. */
export function decodeBase64Strict(value: string): Buffer | undefined {
  return BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** Constant-time comparison of a digest with a signature given as base64 (padding optional). */
export function base64SignatureEquals(expected: Uint8Array, provided: string): boolean {
  const decoded = decodeBase64Strict(provided);
  return decoded !== undefined && decoded.length === expected.length && timingSafeEqual(decoded, expected);
}

/**
 * After every secret failed: does a trimmed variant of a secret with
 * surrounding whitespace match? Runs only on the failure path.
 */
export function matchesOnlyWhenTrimmed(
  secrets: readonly HmacSecret[],
  matches: (key: KeyObject) => boolean,
): boolean {
  return secrets.some((secret) => secret.trimmedKey !== undefined && matches(secret.trimmedKey));
}
