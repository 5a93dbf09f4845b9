/**
 * Notes of attempts on their way to the database (see `Journal.attempted`): a receiver answers
 * without waiting for them, so the journal's reads and `close()` wait instead. At most
 * `maxWaitMs` (the batcher's own limit): a write still unanswered then went over a connection
 * that died without a word, and must not hold up every read behind it.
 */
export class NotesOnTheirWay {
  readonly #notes = new Set<Promise<void>>();

  constructor(private readonly maxWaitMs = 5_000) {}

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
    if (this.#notes.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(resolve, this.maxWaitMs, false)));
    const settled = await Promise.race([Promise.all(this.#notes).then(() => true as const), waited]);
    clearTimeout(timer);
    return settled;
  }
}
