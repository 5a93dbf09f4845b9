import { WebhookError } from './webhook-error.js';

const DEFAULT_FIX =
  'Pass the raw bytes: mount the webhook route before any JSON body parser, or keep the raw body ' +
  '(Express: app.use(express.json({ verify: keepRawBody }))) and pass that.';

/**
 * 500 (or the provider's retry status): the body handed to crmhooks is not raw bytes:
 * a JSON body parser ran first and kept no raw copy, and re-serialized JSON cannot be
 * verified. Retryable, so the CRM delivers it again once the app is fixed; `fix` names
 * the one line to change in the framework at hand.
 */
export class RawBodyRequiredError extends WebhookError {
  constructor(received: unknown, fix = DEFAULT_FIX) {
    super(
      500,
      'raw_body_missing',
      `crmhooks needs the raw request body (Buffer, Uint8Array or string) but received ${describe(received)}. ` +
        'Signatures are computed over the exact bytes the CRM sent, so a body that a JSON parser has ' +
        `already turned into an object cannot be verified. ${fix}`,
      { retryable: true },
    );
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
