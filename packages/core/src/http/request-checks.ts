import { MethodNotAllowedError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/request-errors.js';
import type { WebhookError } from '../errors/webhook-error.js';

/**
 * Checks an HTTP request can be a webhook delivery before its body is read:
 * POST, a JSON content type (or none), and a declared length within the limit.
 * Shared by every HTTP adapter; returns the error to answer with, if any.
 */
export function checkRequest(request: {
  readonly method: string | undefined;
  readonly contentType: string | null | undefined;
  readonly contentLength: string | null | undefined;
  readonly maxBodyBytes: number;
}): WebhookError | undefined {
  const method = request.method?.toUpperCase() ?? 'POST';
  if (method !== 'POST') return new MethodNotAllowedError(method);
  if (request.contentType && !isJsonMediaType(request.contentType)) {
    return new UnsupportedMediaTypeError(request.contentType);
  }
  const declared = request.contentLength ? Number(request.contentLength) : Number.NaN;
  if (declared > request.maxBodyBytes) return new PayloadTooLargeError(request.maxBodyBytes, declared);
  return undefined;
}

/** `application/json`, `application/<anything>+json`, and `text/json`, with any parameters. */
export function isJsonMediaType(contentType: string): boolean {
  // What CRMs send ("application/json", with or without "; charset=utf-8"), without allocating.
  if (contentType.startsWith('application/json') && (contentType.length === 16 || contentType[16] === ';')) return true;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
