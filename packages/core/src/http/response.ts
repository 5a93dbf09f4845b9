import type { ReceiveOutcome } from '../receive/outcome.js';
import { failureOutcome } from '../receive/outcome.js';
import type { WebhookError } from '../errors/webhook-error.js';
import { ALLOW_POST } from './request-checks.js';

/** An answer ready to write to any HTTP response object. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/** Serializes an outcome: JSON body, content type, and any extra headers (Retry-After, Allow). */
export function toHttpResponse(outcome: ReceiveOutcome): HttpResponse {
  return {
    status: outcome.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...outcome.headers },
    body: JSON.stringify(outcome.body),
  };
}

/** Serializes an error found before `receive` ran (wrong method, media type, size). */
export function errorResponse(error: WebhookError): HttpResponse {
  const response = toHttpResponse(failureOutcome(error));
  return error.status === 405 ? { ...response, headers: { ...response.headers, ...ALLOW_POST } } : response;
}
