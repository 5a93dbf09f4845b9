import { ConfigurationError } from '../errors/usage-errors.js';
import type { ReceiveOutcome } from '../receive/outcome.js';
import type { DeliveryReceiver } from '../receive/receiver.js';

/** An answer ready to write to any HTTP response object. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/**
 * The answer to handled deliveries, when the default (200 `{"ok":true}`) will not do.
 * `status` must be 2xx; deliveries of a CRM that accepts one exact status (SuperOffice: 200) keep it.
 */
export interface SuccessAnswer {
  readonly status?: number;
  readonly body?: unknown;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Makes the function that turns a receiver's outcomes into HTTP answers: the JSON body,
 * Retry-After on retryable failures, `success` for handled deliveries. One per adapter,
 * shared by the Web handler and every Node adapter.
 */
export function httpAnswers(receiver: DeliveryReceiver, success: SuccessAnswer | undefined, where: string): (outcome: ReceiveOutcome) => HttpResponse {
  const successStatus = success?.status ?? 200;
  if (!Number.isInteger(successStatus) || successStatus < 200 || successStatus > 299) {
    throw new ConfigurationError(`${where}: success.status must be a 2xx status, got ${successStatus}.`);
  }
  const exactStatus = new Map(receiver.providers.map((provider) => [provider.name, provider.requiredSuccessStatus]));
  const successBody = success?.body === undefined ? undefined : JSON.stringify(success.body);
  return (outcome) => {
    const headers = { 'content-type': JSON_TYPE, ...outcome.headers };
    if (outcome.error !== undefined) return { status: outcome.status, headers, body: JSON.stringify(outcome.body) };
    const status = (outcome.provider !== undefined && exactStatus.get(outcome.provider)) || successStatus;
    return { status, headers, body: successBody ?? JSON.stringify(outcome.body) };
  };
}

/**
 * The answer to a request turned away before its body was read (wrong method or type, too
 * large, too slow): the connection is closed after it, so the client's body is not read on.
 */
export function refusal(response: HttpResponse, code: string | undefined): HttpResponse {
  const headers: Record<string, string> = { ...response.headers, connection: 'close' };
  if (code === 'method_not_allowed') headers.allow = 'POST';
  return { ...response, headers };
}

/** The answer to a request for another path than the webhook's (`path` option): 404 saying where webhooks go. */
export function notFound(path: string): HttpResponse {
  return {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { code: 'not_found', message: `Webhooks are received at ${path}.` } }),
  };
}
