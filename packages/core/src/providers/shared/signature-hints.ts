/**
 * Extra sentences for a failed signature check. They go to the log only, never quote the
 * secret or the signature, and look at an unauthenticated body only when it is small.
 */

/** Largest body the failure path parses to spot re-serialization: a forgery must cost no more than its hash. */
const INSPECTED_BYTES = 4096;

/** Whether the body is byte-for-byte what `JSON.stringify(JSON.parse(body))` gives. */
export function looksReserialized(body: Uint8Array): boolean {
  if (body.byteLength > INSPECTED_BYTES) return false;
  try {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    return text.length > 2 && JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/**
 * Advice for a failed check: the whitespace slip when that is the cause; otherwise the
 * usual advice, plus the re-serialization note when the body looks re-serialized.
 */
export function signatureAdvice(options: { body: Uint8Array; advice: string; matchesTrimmedSecret?: () => boolean }): string {
  if (options.matchesTrimmedSecret?.()) {
    return (
      ' It does match once surrounding whitespace is removed from a configured secret: trim the secret ' +
      '(a trailing newline from an env file or secret manager is the usual cause).'
    );
  }
  const reserialized = looksReserialized(options.body)
    ? ' If a body parser ran before crmhooks, note that this body is compact JSON exactly as JSON.stringify ' +
      'writes it: a re-serialized body differs from the bytes that were signed, so pass the raw request body.'
    : '';
  return options.advice + reserialized;
}
