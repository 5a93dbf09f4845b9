import { InvalidPayloadError } from '../errors/request-errors.js';
import { RawBodyRequiredError } from '../errors/usage-errors.js';
import { nestsDeeperThan } from '../util/json-text.js';

/** A request body exactly as received: bytes, or the exact string. */
export type RawBody = Uint8Array | ArrayBuffer | string;

/** Returns the body as bytes; anything else (a parsed object) is the body-parser trap. */
export function toBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new RawBodyRequiredError(body);
}

const utf8 = new TextDecoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How deep a body may nest objects and arrays: 64 levels. CRM payloads nest 3 or 4; a deeper
 * body, however validly signed, could not be queued (JSON.stringify overflows its stack past
 * about 4,000 levels) nor stored, and would fail on every retry, so it is refused at once.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Decodes and parses a JSON body. A leading byte-order mark is ignored; invalid UTF-8,
 * invalid JSON and nesting deeper than `MAX_JSON_DEPTH` are reported as 400 with the reason,
 * never with a piece of the body.
 */
export function parseJsonBody(body: Uint8Array, provider: string): unknown {
  if (body.byteLength === 0) {
    throw new InvalidPayloadError('The request body is empty; expected a JSON object.', provider);
  }
  const text = utf8.decode(body);
  // Invalid bytes decode to U+FFFD; only then is the body decoded strictly, to tell them from a genuine U+FFFD.
  if (text.includes('\uFFFD')) {
    try {
      strictUtf8.decode(body);
    } catch {
      throw new InvalidPayloadError('The request body is not valid UTF-8; expected UTF-8 JSON.', provider);
    }
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new InvalidPayloadError(
      `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; no CRM sends such payloads, ` +
        'so it was refused rather than retried forever.',
      provider,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidPayloadError(`The request body is not valid JSON: ${jsonProblem(error)}.`, provider);
  }
}

/** What JSON.parse objected to. V8 quotes a piece of the body in some messages: those are never repeated. */
function jsonProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return message && !message.includes('"') ? message : 'an unexpected token';
}
