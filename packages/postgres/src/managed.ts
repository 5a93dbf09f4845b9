import { PGlite } from '@electric-sql/pglite';
import { pglite, type Database } from './database.js';

/**
 * A component's database, made ready once: the one the user passed, or an in-memory PGlite
 * created on first use (about two seconds; gone with the process). `prepare` (migrations)
 * runs before anything else; after a failure (database down) the next call tries again.
 */
export class ManagedDatabase {
  readonly #given: Database | undefined;
  readonly #prepare: (database: Database) => Promise<void>;
  #own: PGlite | undefined;
  #ready: Promise<Database> | undefined;

  constructor(given: Database | undefined, prepare: (database: Database) => Promise<void>) {
    this.#given = given;
    this.#prepare = prepare;
  }

  ready(): Promise<Database> {
    this.#ready ??= this.#open().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Closes the embedded database this created; a database the user passed stays open. */
  async close(): Promise<void> {
    const own = this.#own;
    this.#own = undefined;
    this.#ready = undefined;
    await own?.close();
  }

  async #open(): Promise<Database> {
    const database = this.#given ?? pglite((this.#own ??= new PGlite()));
    await this.#prepare(database);
    return database;
  }
}
