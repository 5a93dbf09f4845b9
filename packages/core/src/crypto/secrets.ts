import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
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

/**
 * HMAC-SHA256 of the given parts, in order, as standard base64 with padding.
 * Text, not a Buffer: a digest Buffer made in C++ costs more than the whole comparison.
 */
export function hmacSha256Base64(key: KeyObject, parts: Uint8Array | string | readonly (Uint8Array | string)[]): string {
  const hmac = createHmac('sha256', key);
  if (Array.isArray(parts)) for (const part of parts as readonly (Uint8Array | string)[]) hmac.update(part);
  else hmac.update(parts as Uint8Array | string);
  return hmac.digest('base64');
}

/**
 * Decodes standard base64 (padding optional); undefined for anything else, where Node would
 * decode leniently (skipping stray characters). Checked by encoding the bytes again: only the
 * one canonical spelling of them comes back, and that costs less than a regular expression.
 */
export function decodeBase64Strict(value: string): Buffer | undefined {
  const decoded = Buffer.from(value, 'base64');
  return decoded.toString('base64') === padBase64(value) ? decoded : undefined;
}

/**
 * Whether `provided` is exactly the base64 text of a digest (`expected`, padded), with or without
 * its padding. Comparing the text, not decoded bytes, is strict by construction (Node decodes
 * base64 leniently, skipping stray characters) and needs no Buffers.
 */
export function base64SignatureEquals(expected: string, provided: string): boolean {
  const candidate = provided.length < expected.length ? padBase64(provided) : provided;
  return candidate.length === expected.length && constantTimeEquals(candidate, expected);
}

/**
 * Compares two strings of equal length in time that depends only on the length: every
 * character is compared and the differences are accumulated, with no early exit (the
 * approach of Deno's std `timingSafeEqual`, also used by Svix's webhook verification).
 */
function constantTimeEquals(a: string, b: string): boolean {
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

function padBase64(value: string): string {
  return value.length % 4 === 0 ? value : value + '='.repeat(4 - (value.length % 4));
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
