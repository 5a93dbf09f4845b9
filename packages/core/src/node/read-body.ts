import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { InvalidPayloadError, PayloadTooLargeError, RequestAbortedError, RequestTimeoutError } from '../errors/request-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import { withTimeout } from '../util/with-timeout.js';

/**
 * Reads a Node request body as bytes with raw-body: stops at `limit`, checks the
 * declared Content-Length, gives up after `timeoutMs` (a client trickling the body
 * must not hold the request open), and turns every failure into a WebhookError.
 */
export function readNodeBody(request: IncomingMessage, limit: number, timeoutMs = 10_000): Promise<Buffer> {
  const read = getRawBody(request, { limit, length: request.headers['content-length'] ?? null }).catch((error: Error & { readonly type?: string }) => {
    throw fromRawBodyError(error, limit);
  });
  return withTimeout(read, timeoutMs, () => {
    request.pause(); // Stop reading; the 408 answer closes the connection.
    throw new RequestTimeoutError(timeoutMs);
  });
}

/** raw-body's errors carry a `type`; each becomes an answer instead of a hang or a crash. */
function fromRawBodyError(error: Error & { readonly type?: string }, limit: number): WebhookError {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(limit);
    case 'request.aborted':
      return new RequestAbortedError();
    case 'request.size.invalid':
      return new InvalidPayloadError('The body length does not match the Content-Length header. Check that no proxy rewrites the body.');
    default:
      return new InvalidPayloadError(`The request body could not be read: ${error.message}.`);
  }
}
