/** What became of an event: received (kept, not yet claimed), running (claimed), queued, handled, failed, or dead (parked). */
export type JournalState = 'received' | 'running' | 'queued' | 'handled' | 'failed' | 'dead';

/** The journal's states, in the order a delivery goes through them. */
export const JOURNAL_STATES: readonly JournalState[] = ['received', 'running', 'queued', 'handled', 'failed', 'dead'];

/** Which events to list, replay or count. Every field narrows; none means all. */
export interface JournalFilter {
  readonly provider?: string;
  /** One customer's events (SuperOffice `ContextIdentifier`, HighLevel `locationId`, HubSpot `portalId`). */
  readonly tenant?: string;
  /** Event name, e.g. `superoffice.relation.created`. */
  readonly event?: string;
  readonly state?: JournalState | readonly JournalState[];
  /** Received at or after. */
  readonly since?: Date;
  /** Received before. */
  readonly until?: Date;
  readonly deliveryId?: string;
  /** Events that link or unlink this record (either end). */
  readonly recordId?: string;
}

/** One event as the journal keeps it. */
export interface JournalEvent {
  readonly provider: string;
  /** The customer it belongs to; null when its signed bytes named none, or it was kept before tenants were. */
  readonly tenant: string | null;
  readonly deliveryId: string;
  readonly name: string;
  readonly state: JournalState;
  readonly receivedAt: Date;
  /** When the CRM signed it, if the signed bytes say. */
  readonly signedAt: Date | null;
  readonly attempts: number;
  /**
   * HTTP status of the last answer to the CRM; null when none was given, or when a later run that
   * answered nothing (a replay, a queue worker's job) succeeded.
   */
  readonly lastStatus: number | null;
  /** Error code and message of the last attempt, if it failed. */
  readonly lastCode: string | null;
  readonly lastMessage: string | null;
  readonly recordIds: readonly string[];
  readonly updatedAt: Date;
}

/** One try at an event: a CRM delivery or retry, a worker's run, or a replay. */
export interface JournalAttempt {
  readonly at: Date;
  readonly result: string;
  readonly status: number | null;
  readonly code: string | null;
  readonly message: string | null;
  readonly durationMs: number;
  readonly replay: boolean;
}

/** An event with its delivery and every attempt: what `show` returns. */
export interface JournalEntry {
  readonly event: JournalEvent;
  readonly delivery: {
    readonly method: string | null;
    readonly url: string | null;
    /** The kept headers, signature values replaced by `[redacted]`. */
    readonly headers: Readonly<Record<string, string>>;
    /** The body as text, or null when it was not kept (`keepBodies: false`, or pruned). */
    readonly body: string | null;
  };
  readonly attempts: readonly JournalAttempt[];
}

/** Where a page of `list` ends: pass it as `after` for the next page. */
export interface JournalCursor {
  readonly receivedAt: Date;
  readonly provider: string;
  readonly deliveryId: string;
}

/** An event a replay did not run. */
export interface SkippedEvent {
  readonly provider: string;
  readonly deliveryId: string;
  /**
   * Why, for code: `in_progress` (being handled right now), `duplicate` (the store refuses replays
   * of handled events), `body_not_kept`, or the code of the error that stopped it (`signature_invalid`, ...).
   */
  readonly code: string;
  /** Why, for people. */
  readonly reason: string;
}

/** What `replay` did. */
export interface ReplayReport {
  /** Events that matched the filter. */
  readonly matched: number;
  /** Events whose handlers ran and succeeded (or that were queued for workers). */
  readonly handled: number;
  /** Events whose handlers failed again (they stay failed; the journal has the attempt). */
  readonly failed: number;
  /** Events not run, and why: the signature no longer verifies, the body was not kept, or the event was being handled. */
  readonly skipped: readonly SkippedEvent[];
  /** With `dryRun`: the events a replay would run (their bodies were kept), oldest first. */
  readonly wouldRun?: readonly { readonly provider: string; readonly deliveryId: string; readonly name: string }[];
}
