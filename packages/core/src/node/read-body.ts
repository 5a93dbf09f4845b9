import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { InvalidPayloadError, PayloadTooLargeError, RequestAbortedError, RequestTimeoutError } from '../errors/request-errors.js';
import type { WebhookError } from '../errors/webhook-error.js';

/**
 * Reads a Node request body as bytes with raw-body: stops at `limit`, checks the
 * declared Content-Length, gives up after `timeoutMs` (a client trickling the body
 * must not hold the request open), and turns every failure into a WebhookError.
 */
export function readNodeBody(request: IncomingMessage, limit: number, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.pause(); // Stop reading; the 408 answer closes the connection.
      reject(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);
    getRawBody(request, { limit, length: request.headers['content-length'] ?? null }, (error, body) => {
      clearTimeout(timer);
      if (error) reject(fromRawBodyError(error, limit));
      else resolve(body);
    });
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
