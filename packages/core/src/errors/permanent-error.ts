/**
 * Thrown by a handler whose failure no retry can fix (data the application can never
 * store, an event it can never use). The event is not retried: the delivery is answered
 * so that the CRM stops retrying, and the event is parked in the receiver's dead-letter
 * sink, to be fixed and replayed. Any error with `permanent: true` counts as one.
 *
 * @example
 * ```ts
 * webhooks.on('superoffice.relation.created', (event) => {
 *   if (!isKnownTable(event.FieldValues?.source_table)) throw new PermanentError('unknown source table');
 * });
 * ```
 */
export class PermanentError extends Error {
  /** Marks the failure as permanent; checked as a property, so any error can carry it. */
  readonly permanent = true;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Whether a handler's failure is permanent: a `PermanentError`, or any error marked `permanent: true`. */
export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}
