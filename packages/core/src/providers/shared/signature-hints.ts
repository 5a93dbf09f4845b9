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

/** Hint appended when a body may have been parsed and re-serialized before it reached crmhooks. */
export const reserializedHint =
  ' The body is compact JSON exactly as JSON.stringify writes it: if a body parser ran before crmhooks ' +
  'and the body was re-serialized, the bytes differ from what was signed. Pass the raw request body.';

/** Hint appended when a secret only matches once its surrounding whitespace is removed. */
export const whitespaceHint =
  ' It does match once surrounding whitespace is removed from a configured secret: trim the secret ' +
  '(a trailing newline from an env file or secret manager is the usual cause).';

/** Picks the most useful hint for a failed check. */
export function signatureHint(options: { body: Uint8Array; matchesTrimmedSecret?: () => boolean }): string {
  if (options.matchesTrimmedSecret?.()) return whitespaceHint;
  if (looksReserialized(options.body)) return reserializedHint;
  return '';
}
