import { STUCK_AFTER_MS } from './batch.js';
import { settledWithin } from './settled-within.js';

/**
 * Notes of attempts on their way to the database (see `Journal.attempted`): a receiver answers
 * without waiting for them, so the journal's reads and `close()` wait instead. At most
 * `maxWaitMs` (the batcher's own limit): a write still unanswered then went over a connection
 * that died without a word, and must not hold up every read behind it.
 */
export class NotesOnTheirWay {
  readonly #notes = new Set<Promise<void>>();

  constructor(private readonly maxWaitMs = STUCK_AFTER_MS) {}

  get size(): number {
    return this.#notes.size;
  }

  /** `note` must never reject (a failed note is kept to be written later). */
  add(note: Promise<void>): void {
    this.#notes.add(note);
    void note.finally(() => this.#notes.delete(note));
  }

  /** Resolves once the notes on their way now have settled (true), or after `maxWaitMs` (false). */
  async settled(): Promise<boolean> {
    return this.#notes.size === 0 || settledWithin(Promise.all(this.#notes), this.maxWaitMs);
  }
}
