import { ConfigurationError, describeThrown, type Warnings } from '@crmhooks/core';

/** What the persistence check needs to know about the part of crmhooks that relies on Redis. */
export interface PersistenceSubject {
  /** Who is checking, as the user wrote it: `RedisIdempotencyStore`, `bullmqQueue`. */
  readonly name: string;
  /** What a restart without persistence loses, as a plural noun phrase. */
  readonly atRisk: string;
  /** What losing it does. */
  readonly consequence: string;
  /** Refuse to work unless Redis persists (the `requirePersistence` option). */
  readonly required: boolean;
}

/**
 * Checks once, with `INFO persistence`, that Redis keeps an append-only file, so what it
 * acknowledged survives a restart. Otherwise it warns once, naming the consequence and the
 * fix, or (when required) rejects. A server that refuses INFO (some managed Redis) is said
 * once and, unless required, trusted.
 */
export class PersistenceCheck {
  readonly #readInfo: () => Promise<string>;
  readonly #subject: PersistenceSubject;
  readonly #warnings: Warnings;
  #done: Promise<void> | undefined;

  constructor(readInfo: () => Promise<string>, subject: PersistenceSubject, warnings: Warnings) {
    this.#readInfo = readInfo;
    this.#subject = subject;
    this.#warnings = warnings;
  }

  /** Runs the check the first time; later calls get the same result. */
  run(): Promise<void> {
    this.#done ??= this.#check();
    return this.#done;
  }

  async #check(): Promise<void> {
    const { name, atRisk, consequence, required } = this.#subject;
    let info: string;
    try {
      info = await this.#readInfo();
    } catch (error) {
      const problem =
        `${name} could not read Redis's persistence settings (INFO persistence failed: ${describeThrown(error)}), so it cannot ` +
        `tell whether ${atRisk} survive a Redis restart. Make sure the server keeps an append-only file (appendonly yes)`;
      if (required) throw new ConfigurationError(`${problem}, or drop requirePersistence if your Redis provider guarantees it.`);
      this.#warnings.emit(`${problem}.`);
      return;
    }
    if (/^aof_enabled:1\s*$/m.test(info)) return;
    const problem =
      `Redis keeps no append-only file (appendonly no): if it restarts, ${atRisk} since its last snapshot are lost, and ${consequence}. ` +
      'Set appendonly yes: with appendfsync everysec a crash of Redis loses nothing and a power failure at most about a second of ' +
      'writes; with appendfsync always, nothing';
    if (required) throw new ConfigurationError(`${name} refuses to start: ${problem}.`);
    this.#warnings.emit(`${problem}. To refuse to start instead, pass requirePersistence: true to ${name}.`);
  }
}
