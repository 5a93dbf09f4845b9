/** Reads a header by its lower-case name. */
export type HeaderReader = (lowerCaseName: string) => string | undefined;

/**
 * Request headers in any common shape: a Web `Headers`, Node's
 * `IncomingHttpHeaders`, or a plain object with names in any case.
 */
export type IncomingHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * Builds a case-insensitive header reader. Values are trimmed; of a header
 * given as an array (repeated), the first value counts.
 */
export function createHeaderReader(headers: IncomingHeaders): HeaderReader {
  if (isWebHeaders(headers)) {
    // Web Headers join a repeated header's values with ", ", which then fails verification: safe.
    return (name) => firstValue(headers.get(name));
  }
  // Node's IncomingHttpHeaders are already lower-case, so direct lookups suffice;
  // objects written by hand may use any case and are folded once.
  const folded = hasUpperCaseKey(headers) ? lowerCaseKeys(headers) : headers;
  return (name) => firstValue(folded[name]);
}

function isWebHeaders(headers: IncomingHeaders): headers is Headers {
  return typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function';
}

const UPPER_CASE = /[A-Z]/;

function hasUpperCaseKey(headers: object): boolean {
  for (const key in headers) if (UPPER_CASE.test(key)) return true;
  return false;
}

function lowerCaseKeys(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const folded: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(headers)) {
    const lower = key.toLowerCase();
    if (!(lower in folded)) folded[lower] = headers[key];
  }
  return folded;
}

function firstValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return firstValue(value[0]);
  return String(value).trim();
}
