/**
 * Extra sentences for a failed signature check. They run only on the failure
 * path and never quote the secret or the signature.
 */

/** Whether the body is byte-for-byte what `JSON.stringify(JSON.parse(body))` gives. */
export function looksReserialized(body: Uint8Array): boolean {
  try {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    return text.length > 2 && JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** Added when a body may have been parsed and re-serialized before it reached crmhooks. */
export const reserializedHint =
  ' If a body parser ran before crmhooks, note that this body is compact JSON exactly as JSON.stringify ' +
  'writes it: a re-serialized body differs from the bytes that were signed, so pass the raw request body.';

/** Replaces the advice when a secret only matches once its surrounding whitespace is removed. */
export const whitespaceHint =
  ' It does match once surrounding whitespace is removed from a configured secret: trim the secret ' +
  '(a trailing newline from an env file or secret manager is the usual cause).';

/**
 * Advice for a failed check: the whitespace slip when that is the cause;
 * otherwise the usual advice, plus the re-serialization note when the body looks re-serialized.
 */
export function signatureAdvice(options: {
  body: Uint8Array;
  advice: string;
  matchesTrimmedSecret?: () => boolean;
}): string {
  if (options.matchesTrimmedSecret?.()) return whitespaceHint;
  return options.advice + (looksReserialized(options.body) ? reserializedHint : '');
}
