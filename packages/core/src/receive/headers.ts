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
  let lowerCased: Map<string, unknown> | undefined;
  return (name) => {
    // Node's IncomingHttpHeaders are already lower-case: the common case is one lookup.
    const direct = headers[name];
    if (direct !== undefined) return firstValue(direct);
    lowerCased ??= lowerCaseKeys(headers);
    return firstValue(lowerCased.get(name));
  };
}

function isWebHeaders(headers: IncomingHeaders): headers is Headers {
  return typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function';
}

function lowerCaseKeys(headers: object): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [key, value] of Object.entries(headers)) {
    const lower = key.toLowerCase();
    if (!map.has(lower)) map.set(lower, value);
  }
  return map;
}

function firstValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return firstValue(value[0]);
  return String(value).trim();
}
