/**
 * The warnings of a store or a queue (ids forgotten early, a server that does not persist),
 * for the receiver to log. A warning raised before anyone listens (a check that finished
 * before the receiver was created) is kept and given to the first listener.
 */
export class Warnings {
  readonly #listeners = new Set<(message: string) => void>();
  #pending: string[] = [];

  /** Calls `listener` with every warning from now on, and with those nobody has heard yet. */
  listen(listener: (message: string) => void): void {
    this.#listeners.add(listener);
    const pending = this.#pending;
    this.#pending = [];
    for (const message of pending) listener(message);
  }

  /** Raises a warning: each message should say what is at risk and how to fix it. */
  emit(message: string): void {
    if (this.#listeners.size === 0) this.#pending.push(message);
    for (const listener of this.#listeners) listener(message);
  }
}
