import { InvalidPayloadError } from '../errors/request-errors.js';
import { RawBodyRequiredError } from '../errors/usage-errors.js';

/** A request body exactly as received: bytes, or the exact string. */
export type RawBody = Uint8Array | ArrayBuffer | string;

/** Returns the body as bytes, or throws a TypeError explaining the body-parser trap. */
export function toBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new RawBodyRequiredError(body);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and parses a JSON body. A leading byte-order mark is ignored;
 * invalid UTF-8 and invalid JSON are reported as 400 with the reason.
 */
export function parseJsonBody(body: Uint8Array, provider: string): unknown {
  if (body.byteLength === 0) {
    throw new InvalidPayloadError('The request body is empty; expected a JSON object.', provider);
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new InvalidPayloadError('The request body is not valid UTF-8; expected UTF-8 JSON.', provider);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidPayloadError(`The request body is not valid JSON: ${reason}.`, provider);
  }
}

/** A non-null, non-array object, as parsed from JSON. */
export type JsonObject = Record<string, unknown>;

/** Checks that a parsed body is a JSON object; names what it was otherwise. */
export function expectJsonObject(json: unknown, provider: string, displayName: string): JsonObject {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as JsonObject;
  const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
  throw new InvalidPayloadError(
    `${displayName} sends one JSON object per delivery, but the body is ${kind}.`,
    provider,
  );
}
