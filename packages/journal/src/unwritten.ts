import { describeThrown, type DeliveryAttempt, type Logger } from '@crmhooks/core';

/** Attempts at most kept while the database does not answer; past that the oldest are given up. */
const MAX_KEPT = 10_000;
/** How often kept attempts are written again. */
const RETRY_EVERY_MS = 1_000;

/**
 * How events ended that the journal could not note (the database was down after their handlers
 * ran): kept in memory and written again every second until the database answers, so the journal
 * never keeps showing a handled event as `running`, and no recovery or replay runs it again.
 * Bounded: past 10,000 attempts the oldest are given up, with an error in the log.
 */
export class UnwrittenAttempts {
  #kept: { readonly attempts: readonly DeliveryAttempt[]; readonly key: string }[] = [];
  #count = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(
    /** Writes them as a retry under their first key: what the first try committed is not noted twice. */
    private readonly write: (writes: readonly { readonly attempts: readonly DeliveryAttempt[]; readonly key: string }[]) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  /** Whether an event's outcome is waiting here to be written. */
  has(provider: string, deliveryId: string): boolean {
    return this.#kept.some(({ attempts }) => attempts.some((attempt) => attempt.provider === provider && attempt.deliveryId === deliveryId));
  }

  /** Keeps attempts whose write failed with `cause`, to write them when the database answers. */
  keep(attempts: readonly DeliveryAttempt[], key: string, cause: unknown): void {
    if (this.#kept.length === 0) {
      this.logger.warn(
        { code: 'journal_attempts_kept' },
        `The journal could not note how ${attempts.length === 1 ? 'an event' : `${attempts.length} events`} ended (${describeThrown(cause)}): ` +
          `kept in memory, and written once the database answers again (at most ${MAX_KEPT.toLocaleString('en-US')} attempts).`,
      );
    }
    this.#kept.push({ attempts, key });
    this.#count += attempts.length;
    while (this.#count > MAX_KEPT) {
      const dropped = this.#kept.shift()!;
      this.#count -= dropped.attempts.length;
      this.logger.error(
        { code: 'journal_attempts_lost', provider: dropped.attempts[0]?.provider, deliveryId: dropped.attempts[0]?.deliveryId },
        `The journal gave up noting how ${dropped.attempts.map((attempt) => attempt.deliveryId).join(', ')} ended: more than ` +
          `${MAX_KEPT.toLocaleString('en-US')} attempts waited for the database. Those events show "running" with a lapsed claim, so a ` +
          'receiver recovers them: their handlers may run once more. Check that the database is reachable.',
      );
    }
    this.#timer ??= setInterval(() => void this.flush().catch(() => undefined), RETRY_EVERY_MS).unref();
  }

  /** Writes what is kept; rejects (keeping it) while the database does not answer. One flush at a time. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    if (this.#kept.length === 0) return;
    // What is kept now; attempts kept while it is written (or given up meanwhile) are not mistaken for it.
    const writing = new Set(this.#kept);
    await this.write([...writing]);
    this.#kept = this.#kept.filter((entry) => !writing.has(entry));
    this.#count = this.#kept.reduce((sum, entry) => sum + entry.attempts.length, 0);
    if (this.#kept.length === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Stops retrying; what is still kept is reported lost. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#count > 0) {
      this.logger.error(
        { code: 'journal_attempts_lost' },
        `The journal closed with ${this.#count} attempts it could not note; those events show "running" with a lapsed claim, so a receiver recovers them.`,
      );
    }
  }
}
