export { WebhookError, type WebhookErrorCode, type WebhookErrorOptions } from './webhook-error.js';
export {
  MissingSignatureError,
  InvalidSignatureError,
  TimestampOutsideWindowError,
  UnknownTenantError,
  TenantMismatchError,
  InvalidPayloadError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  MethodNotAllowedError,
  RequestTimeoutError,
  RequestAbortedError,
} from './request-errors.js';
export {
  HandlerError,
  HandlerTimeoutError,
  DeliveryInProgressError,
  StoreUnavailableError,
  JournalUnavailableError,
  SecretLookupError,
  EventParkedError,
  DeadLetterUnavailableError,
  QueueUnavailableError,
  ReceiverClosedError,
  InternalError,
  type EventReference,
  type HandlerRun,
} from './delivery-errors.js';
export { RawBodyRequiredError, ConfigurationError } from './usage-errors.js';
export { describeThrown } from './describe.js';
export { PermanentError, isPermanent } from './permanent-error.js';
