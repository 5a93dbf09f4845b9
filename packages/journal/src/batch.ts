import { settledWithin } from './settled-within.js';

interface Waiting<Write, Result> {
  readonly write: Write;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

/** How long a batch may go unanswered before it is taken for lost on a connection that died without a word. */
export const STUCK_AFTER_MS = 5_000;

/**
 * Group commit for the journal's writes: the writes of one turn of the event loop go together,
 * in one statement and one transaction, and at most two batches are on their way to Postgres at
 * once; writes that arrive while two are out wait and go together when one returns. Unloaded, a
 * write goes at once, alone; under load a round trip carries many, and Postgres pays for one
 * transaction where it paid for each write. With one batch out at a time, the receiver and
 * Postgres took turns, each idle while the other worked; with two, one batch runs while the
 * receiver prepares the next (12 % more deliveries a second in the package's benchmark, see its README).
 *
 * A failed batch is tried again one write at a time, so a write Postgres refuses fails alone;
 * so is a single write, once, since a lost connection may have taken only the answer: `send`
 * is told it is retrying, and must then not repeat what the first try may have committed.
 * A batch still unanswered after `stuckAfterMs` (a connection that died without a word) no
 * longer holds up the writes after it; its own writes wait for their answer, or their caller's timeout.
 */
export class WriteBatcher<Write, Result> {
  #waiting: Waiting<Write, Result>[] = [];
  #inFlight = 0;
  #sendScheduled = false;

  /** `send` writes a batch and answers each write's result, in order; `retry` after a failed try of the same writes. */
  constructor(
    private readonly send: (writes: readonly Write[], retry: boolean) => Promise<readonly Result[]>,
    private readonly stuckAfterMs = STUCK_AFTER_MS,
    private readonly maxInFlight = 2,
  ) {}

  /** Resolves once `write` is committed. */
  write(write: Write): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ write, resolve, reject });
      this.#scheduleSend();
    });
  }

  /** Sends what waits once this turn of the event loop has added its writes, if fewer than `maxInFlight` batches are out. */
  #scheduleSend(): void {
    if (this.#sendScheduled || this.#waiting.length === 0 || this.#inFlight >= this.maxInFlight) return;
    this.#sendScheduled = true;
    setImmediate(() => {
      this.#sendScheduled = false;
      void this.#sendWaiting();
    });
  }

  async #sendWaiting(): Promise<void> {
    if (this.#waiting.length === 0 || this.#inFlight >= this.maxInFlight) return;
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight += 1;
    await settledWithin(this.#sendBatch(batch), this.stuckAfterMs);
    this.#inFlight -= 1;
    this.#scheduleSend();
  }

  /** Settles every write of the batch; never rejects. */
  async #sendBatch(batch: readonly Waiting<Write, Result>[]): Promise<void> {
    try {
      const results = await this.send(batch.map((entry) => entry.write), false);
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch {
      for (const entry of batch) this.send([entry.write], true).then(([result]) => entry.resolve(result!), entry.reject);
    }
  }
}
