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
  // Node's IncomingHttpHeaders are lower-case, so a direct lookup almost always answers;
  // only a miss looks for the same name in another case (objects written by hand).
  return (name) => {
    const direct = headers[name];
    return firstValue(direct !== undefined ? direct : findIgnoringCase(headers, name));
  };
}

function isWebHeaders(headers: IncomingHeaders): headers is Headers {
  return typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function';
}

function findIgnoringCase(headers: Readonly<Record<string, unknown>>, lowerCaseName: string): unknown {
  for (const key in headers) {
    // Comparing lengths first keeps a miss cheap: most keys are skipped without allocating.
    if (key.length === lowerCaseName.length && key.toLowerCase() === lowerCaseName) return headers[key];
  }
  return undefined;
}

function firstValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return firstValue(value[0]);
  return String(value).trim();
}
