import type { EventParkedError } from '../errors/delivery-errors.js';
import type { QueuedEvent } from './queued-event.js';

/**
 * Where a receiver parks events whose handlers failed permanently (a `PermanentError`, a
 * data error the link mirror cannot store), so they can be found, fixed and replayed:
 * `createWebhooks({ deadLetters })`. Without one, the error log line is the only record.
 */
export interface DeadLetterSink {
  /**
   * Keeps the event. The delivery is answered 200 (the CRM stops retrying) only once this
   * resolves; if it rejects, the delivery is answered so that the CRM retries it.
   */
  park(event: QueuedEvent, error: EventParkedError): void | Promise<void>;
}
