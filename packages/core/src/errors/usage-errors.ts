/**
 * Thrown (not answered) when the body handed to crmhooks is not raw bytes:
 * a JSON body parser ran first, and re-serialized JSON cannot be verified.
 * Adapters turn it into a 500 whose message names the fix.
 */
export class RawBodyRequiredError extends TypeError {
  readonly code = 'raw_body_missing' as const;
  readonly status = 500;

  constructor(received: unknown, fix?: string) {
    super(
      `crmhooks needs the raw request body (Buffer, Uint8Array or string) but received ${describe(received)}. ` +
        'Signatures are computed over the exact bytes the CRM sent, so a body that a JSON parser has ' +
        'already turned into an object cannot be verified. ' +
        (fix ??
          'Pass the raw bytes: mount the webhook route before any JSON body parser, or keep the raw body ' +
            '(e.g. express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })) and pass that.'),
    );
    this.name = 'RawBodyRequiredError';
  }
}

/** Thrown at construction when an option is invalid, so mistakes surface at startup, not per request. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined (the body was not read)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an already-parsed array';
  if (typeof value === 'object') return 'an already-parsed object';
  return `a ${typeof value}`;
}
