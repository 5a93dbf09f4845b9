import { createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors/usage-errors.js';
import { EMPTY_OPTION_HINT } from './secrets.js';

/** A public key as PEM text, or an already-parsed `KeyObject`. */
export type PublicKeyInput = string | KeyObject;

/**
 * Parses public keys once, at construction, and checks their algorithm, so a
 * wrong key fails at startup instead of rejecting every delivery.
 */
export function preparePublicKeys(
  input: PublicKeyInput | readonly PublicKeyInput[],
  expected: 'ed25519' | 'rsa',
  optionName: string,
): readonly KeyObject[] {
  const list = Array.isArray(input) ? (input as readonly PublicKeyInput[]) : [input as PublicKeyInput];
  if (list.length === 0) {
    throw new ConfigurationError(`${optionName} must contain at least one public key.`);
  }
  return list.map((key, index) => {
    const label = list.length === 1 ? optionName : `${optionName}[${index}]`;
    if (key === '') throw new ConfigurationError(`${label} is an empty string: it must be a public key in PEM text. ${EMPTY_OPTION_HINT}`);
    let parsed: KeyObject;
    try {
      parsed = typeof key === 'string' ? createPublicKey(key) : key;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigurationError(`${label} is not a readable public key (${reason}); pass PEM text or a KeyObject.`);
    }
    if (parsed.type !== 'public') {
      throw new ConfigurationError(`${label} is a ${parsed.type} key; pass the public key.`);
    }
    if (parsed.asymmetricKeyType !== expected) {
      throw new ConfigurationError(
        `${label} is a ${parsed.asymmetricKeyType ?? 'unknown'} key, but this signature scheme needs ${expected}.`,
      );
    }
    return parsed;
  });
}
