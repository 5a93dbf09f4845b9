import type { ReceiveOutcome } from '../receive/outcome.js';
import { failureOutcome, NO_HEADERS, SUCCESS_JSON, type SuccessBody } from '../receive/outcome.js';
import type { WebhookError } from '../errors/webhook-error.js';
import { ALLOW_POST } from './request-checks.js';

/** An answer ready to write to any HTTP response object. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json; charset=utf-8' });

/** Serializes an outcome: JSON body, content type, and any extra headers (Retry-After, Allow). */
export function toHttpResponse(outcome: ReceiveOutcome): HttpResponse {
  return {
    status: outcome.status,
    headers: outcome.headers === NO_HEADERS ? JSON_HEADERS : { ...JSON_HEADERS, ...outcome.headers },
    body: SUCCESS_JSON.get(outcome.body as SuccessBody) ?? JSON.stringify(outcome.body),
  };
}

/** Serializes an error found before `receive` ran (wrong method, media type, size). */
export function errorResponse(error: WebhookError): HttpResponse {
  const response = toHttpResponse(failureOutcome(error));
  return error.status === 405 ? { ...response, headers: { ...response.headers, ...ALLOW_POST } } : response;
}
