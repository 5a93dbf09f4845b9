import { InvalidPayloadError } from '../../errors/request-errors.js';

/** A non-null, non-array object, as parsed from JSON. */
export type JsonObject = Record<string, unknown>;

/** Checks that a parsed body is a JSON object; names what it was otherwise. */
export function expectJsonObject(json: unknown, provider: string, displayName: string): JsonObject {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as JsonObject;
  const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
  throw new InvalidPayloadError(`${displayName} sends one JSON object per delivery, but the body is ${kind}.`, provider);
}

/** A non-empty string field, or undefined. */
export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** An id field (string or number) as a string, or undefined. */
export function idField(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * A field of a body not verified yet, read only to choose what to verify it with (the tenant
 * whose secret signed it). Undefined when the body is not a JSON object or lacks the field.
 */
export function peekField(body: Uint8Array, field: string): unknown {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as JsonObject)[field] : undefined;
  } catch {
    return undefined;
  }
}
