import type { IncomingMessage } from 'node:http';
import { RawBodyRequiredError } from '../errors/usage-errors.js';
import type { RawBody } from '../receive/body.js';
import { readNodeBody } from './read-body.js';

/** Where a framework may have left the body by the time crmhooks runs. */
export interface BodySources {
  /** The Node request; read only if no body parser consumed it. */
  readonly request: IncomingMessage;
  /** A raw copy a body parser kept (`req.rawBody`, `ctx.request.rawBody`, ...). */
  readonly kept: unknown;
  /** What the framework's parser put in `body`, if anything. */
  readonly parsed: unknown;
}

/**
 * Finds the raw body, in order: a raw copy a body parser kept; a Buffer or string
 * body (`express.raw`, `express.text`); the unread stream. If a parser consumed
 * the stream and kept nothing, fails at once (reading again would hang forever),
 * naming `fix`: the one line to change in this framework.
 */
export function resolveRawBody(sources: BodySources, limit: number, fix: string, timeoutMs?: number): RawBody | Promise<RawBody> {
  if (isRaw(sources.kept)) return sources.kept;
  if (isRaw(sources.parsed)) return sources.parsed;
  const { request } = sources;
  if (!request.readableEnded && !request.destroyed) return readNodeBody(request, limit, timeoutMs);
  throw new RawBodyRequiredError(sources.parsed, fix);
}

function isRaw(value: unknown): value is RawBody {
  return typeof value === 'string' || value instanceof Uint8Array;
}
