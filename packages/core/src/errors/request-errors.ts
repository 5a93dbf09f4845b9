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
  /** The tenant whose secrets were tried, when the provider looks them up per tenant. */
  readonly tenant: string | undefined;
  constructor(message: string, provider?: string, advice = '', tenant?: string) {
    super(401, 'signature_invalid', message + advice, { provider, publicMessage: message });
    this.tenant = tenant;
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

/**
 * 401: the delivery names a tenant (in its body or the path it was sent to) for which the
 * provider's secret lookup has no secret, or names none where a lookup needs one.
 */
export class UnknownTenantError extends WebhookError {
  /** The tenant the delivery claimed; undefined when it named none. */
  readonly tenant: string | undefined;
  constructor(message: string, provider: string, tenant: string | undefined) {
    super(401, 'tenant_unknown', message, { provider });
    this.tenant = tenant;
  }
}

/**
 * 401: the path a delivery was sent to names one tenant and its signed body another. With a
 * secret per tenant, the body was signed with the path tenant's secret for another tenant's data.
 */
export class TenantMismatchError extends WebhookError {
  /** The tenant whose address (and, with a secret per tenant, whose secret) the delivery came to. */
  readonly tenant: string;
  /** The tenant its signed body names, if any. */
  readonly bodyTenant: string | undefined;
  constructor(provider: string, pathTenant: string, bodyTenant: string | undefined) {
    const named = bodyTenant === undefined ? 'names no tenant' : `names tenant "${bodyTenant}"`;
    super(
      401,
      'tenant_mismatch',
      `The delivery was sent to the address of tenant "${pathTenant}", but its signed body ${named}. A delivery is ` +
        "accepted only for the tenant it was signed for: if this is a genuine delivery, the CRM is calling another tenant's " +
        'URL; check the webhook URL registered for that tenant.',
      { provider },
    );
    this.tenant = pathTenant;
    this.bodyTenant = bodyTenant;
  }
}
