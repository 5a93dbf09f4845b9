export { WebhookError, type WebhookErrorCode } from './webhook-error.js';
export {
  MissingSignatureError,
  InvalidSignatureError,
  TimestampOutsideWindowError,
  InvalidPayloadError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  MethodNotAllowedError,
  RequestTimeoutError,
} from './request-errors.js';
export {
  HandlerError,
  HandlerTimeoutError,
  DeliveryInProgressError,
  StoreUnavailableError,
  InternalError,
  type EventReference,
} from './delivery-errors.js';
export { RawBodyRequiredError, ConfigurationError } from './usage-errors.js';
