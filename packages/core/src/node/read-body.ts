import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { InvalidPayloadError, PayloadTooLargeError } from '../errors/request-errors.js';
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
 * declared Content-Length, and turns every failure into a WebhookError.
 */
export function readNodeBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers['content-length'];
  return getRawBody(request, { limit, length: declared ?? null }).catch((error: RawBodyError) => {
    throw toWebhookError(error, limit);
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
