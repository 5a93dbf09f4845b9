import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { InvalidPayloadError, PayloadTooLargeError, RequestTimeoutError } from '../errors/request-errors.js';
import { WebhookError } from '../errors/webhook-error.js';

/** raw-body's errors carry a `type`; each becomes an answer instead of a hang or a crash. */
interface RawBodyError extends Error {
  readonly type?: string;
}

/** 400 for a client that went away mid-body; nobody reads the answer, but the request ends cleanly. */
export class RequestAbortedError extends WebhookError {
  constructor() {
    super(400, 'payload_invalid', 'The client closed the connection before sending the whole body.');
  }
}

/**
 * Reads a Node request body as bytes with raw-body: stops at `limit`, checks the
 * declared Content-Length, gives up after `timeoutMs` (a client trickling the body
 * must not hold the request open), and turns every failure into a WebhookError.
 */
export function readNodeBody(request: IncomingMessage, limit: number, timeoutMs = 10_000): Promise<Buffer> {
  const declared = request.headers['content-length'];
  const read = getRawBody(request, { limit, length: declared ?? null }).catch((error: RawBodyError) => {
    throw toWebhookError(error, limit);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.pause(); // Stop reading; the 408 answer closes the connection.
      reject(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);
    read.then(
      (body) => (clearTimeout(timer), resolve(body)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

function toWebhookError(error: RawBodyError, limit: number): WebhookError {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(limit);
    case 'request.aborted':
      return new RequestAbortedError();
    case 'request.size.invalid':
      return new InvalidPayloadError(
        'The body length does not match the Content-Length header. Check that no proxy rewrites the body.',
      );
    default:
      return new InvalidPayloadError(`The request body could not be read: ${error.message}.`);
  }
}
