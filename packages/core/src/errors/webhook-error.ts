/** Machine-readable reason a delivery was turned away or failed; stable across versions. */
export type WebhookErrorCode =
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_outside_window'
  | 'tenant_unknown'
  | 'tenant_mismatch'
  | 'payload_invalid'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'request_aborted'
  | 'raw_body_missing'
  | 'delivery_in_progress'
  | 'handler_failed'
  | 'handler_timeout'
  | 'event_parked'
  | 'dead_letter_unavailable'
  | 'store_unavailable'
  | 'queue_unavailable'
  | 'journal_unavailable'
  | 'secret_lookup_unavailable'
  | 'receiver_closed'
  | 'internal_error';

/** What every {@link WebhookError} is built from. */
export interface WebhookErrorOptions {
  /** Provider the delivery came from, when it was recognised. */
  readonly provider?: string | undefined;
  readonly cause?: unknown;
  /**
   * Whether the CRM should deliver it again later (a handler failed, the store is down):
   * such outcomes are answered the way each CRM asks for a retry. Default: false (final).
   */
  readonly retryable?: boolean;
  /** The message sent back to the caller when `message` holds details meant for the log only. */
  readonly publicMessage?: string;
}

/**
 * Base class of every error crmhooks reports about a delivery.
 *
 * `status` is the HTTP status the delivery is answered with (a provider may ask for
 * retries with its own status); it is never 410, because SuperOffice disables a
 * webhook that receives 410 Gone. Messages never contain secrets, signatures or bodies.
 */
export class WebhookError extends Error {
  /** HTTP status this error is answered with, unless the provider asks for retries otherwise. */
  readonly status: number;
  /** Stable machine-readable code, also sent in the JSON response. */
  readonly code: WebhookErrorCode;
  /** Provider the delivery came from, when it was recognised. */
  readonly provider: string | undefined;
  /** Whether the CRM should deliver it again later. */
  readonly retryable: boolean;
  /** The message sent back to the caller; `message` (for the log) may say more. */
  readonly publicMessage: string;

  constructor(status: number, code: WebhookErrorCode, message: string, options: WebhookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.provider = options.provider;
    this.retryable = options.retryable ?? false;
    this.publicMessage = options.publicMessage ?? message;
  }
}
