/** Machine-readable reason a delivery was turned away; stable across versions. */
export type WebhookErrorCode =
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_outside_window'
  | 'payload_invalid'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'raw_body_missing'
  | 'delivery_in_progress'
  | 'handler_failed'
  | 'handler_timeout'
  | 'request_timeout'
  | 'store_unavailable'
  | 'internal_error';

/**
 * Base class of every error crmhooks reports about a delivery.
 *
 * `status` is the HTTP status the delivery is answered with; it is never 410,
 * because SuperOffice disables a webhook that receives 410 Gone.
 * Messages never contain secrets or signature values.
 */
export class WebhookError extends Error {
  /** HTTP status this error is answered with. */
  readonly status: number;
  /** Stable machine-readable code, also sent in the JSON response. */
  readonly code: WebhookErrorCode;
  /** Provider the delivery came from, when it was recognised. */
  readonly provider: string | undefined;

  constructor(
    status: number,
    code: WebhookErrorCode,
    message: string,
    options: { provider?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.provider = options.provider;
  }

  /**
   * The message sent back to the caller. Defaults to the full message; errors
   * whose message carries internal details (handler failures) override it.
   */
  get publicMessage(): string {
    return this.message;
  }
}
