import { WebhookError } from './webhook-error.js';

/** 401: the delivery carries no signature this receiver can check. */
export class MissingSignatureError extends WebhookError {
  constructor(message: string, provider?: string) {
    super(401, 'signature_missing', message, { provider });
  }
}

/**
 * 401: a signature is present but matches none of the configured secrets or keys.
 * `advice` (what to check) goes to the log only; the caller learns nothing about the configuration.
 */
export class InvalidSignatureError extends WebhookError {
  constructor(message: string, provider?: string, advice = '') {
    super(401, 'signature_invalid', message + advice, { provider, publicMessage: message });
  }
}

/** 401: the signed timestamp lies outside the replay window. */
export class TimestampOutsideWindowError extends WebhookError {
  constructor(message: string, provider?: string) {
    super(401, 'timestamp_outside_window', message, { provider });
  }
}

/** 400: the body is not valid UTF-8 JSON of the shape the provider sends. */
export class InvalidPayloadError extends WebhookError {
  constructor(message: string, provider?: string) {
    super(400, 'payload_invalid', message, { provider });
  }
}

/** 413: the body is larger than `maxBodyBytes`. */
export class PayloadTooLargeError extends WebhookError {
  readonly limit: number;
  constructor(limit: number, received?: number) {
    const size = received === undefined ? 'more than' : `${received} bytes, over`;
    super(
      413,
      'payload_too_large',
      `The request body is ${size} the ${limit}-byte limit. ` +
        'If genuine deliveries are this large, raise `maxBodyBytes` when creating the receiver.',
    );
    this.limit = limit;
  }
}

/** 415: the request says its body is not JSON. */
export class UnsupportedMediaTypeError extends WebhookError {
  constructor(contentType: string) {
    super(
      415,
      'unsupported_media_type',
      `Expected a JSON body (Content-Type: application/json) but got "${contentType.slice(0, 100)}". ` +
        'CRM webhooks are always JSON; check the URL the CRM is calling.',
    );
  }
}

/** 405: webhooks are delivered with POST only. */
export class MethodNotAllowedError extends WebhookError {
  constructor(method: string) {
    super(405, 'method_not_allowed', `${method.slice(0, 20)} is not allowed here: CRM webhooks are delivered with POST.`);
  }
}

/** 408: the body did not arrive within `bodyTimeoutMs` (a slow or stalled client). */
export class RequestTimeoutError extends WebhookError {
  constructor(timeoutMs: number) {
    super(408, 'request_timeout', `The request body did not arrive within ${timeoutMs} ms; the connection was closed.`);
  }
}

/** 400: the client closed the connection before sending the whole body. Nobody reads the answer. */
export class RequestAbortedError extends WebhookError {
  constructor() {
    super(400, 'request_aborted', 'The client closed the connection before sending the whole body.');
  }
}
