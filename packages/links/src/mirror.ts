import {
  createWebhooks,
  describeThrown,
  PermanentError,
  type AssociationEvent,
  type AssociationEventMap,
  type CrmWebhooks,
  type AssociationEventName,
  type EventContext,
  type Logger,
  type LoggerOption,
  toLogger,
  type StoredDelivery,
  type WebhookProvider,
} from '@crmhooks/core';
import { applyEvent } from './apply.js';
import { deleteInBatches, ManagedDatabase, type Database } from '@crmhooks/postgres';
import { migrateLinks } from './migrations.js';
import { LinkQueries } from './queries.js';
import { tableNames, type TableNames } from './tables.js';
import type { AppliedEvent } from './types.js';
import { upsertCalls } from './upserts.js';

/** Options of {@link createLinkMirror}. Every option has a safe default. */
export interface LinkMirrorOptions {
  /**
   * Where the tables live: `postgres(pool)` for a Postgres server shared by every process,
   * `pglite(db)` for an embedded database of your own. Default: an in-memory PGlite,
   * created on first use (about two seconds) and gone when the process ends.
   */
  readonly database?: Database;
  /** Schema of the tables; created if missing. Default `public`. */
  readonly schema?: string;
  /** Prefix of the table names. Default `crmhooks_`: `crmhooks_links`, `crmhooks_link_definitions`, `crmhooks_migrations`. */
  readonly tablePrefix?: string;
  /** Where events the mirror cannot use are reported (warn). Default the console; `false` for silence. */
  readonly logger?: LoggerOption;
}

const ASSOCIATION_EVENTS = ['association.created', 'association.updated', 'association.deleted'] as const satisfies readonly AssociationEventName[];

/** Called with what each event did, once the mirror has applied it. */
export type AppliedHandler<E extends AssociationEvent> = (applied: AppliedEvent<E>, context: EventContext) => unknown;

/**
 * A table of which CRM records are linked, kept from association events. Correct under
 * duplicates and any delivery order: every row keeps the CRM time of the newest event it
 * reflects, older events never overwrite it, and a delete leaves a tombstone.
 */
export class LinkMirror extends LinkQueries {
  readonly #tables: TableNames;
  readonly #statements: ReturnType<typeof upsertCalls>;
  readonly #logger: Logger;
  readonly #database: ManagedDatabase;

  constructor(options: LinkMirrorOptions = {}) {
    const tables = tableNames(options.schema, options.tablePrefix);
    super(() => this.ready(), tables);
    this.#tables = tables;
    this.#statements = upsertCalls(tables);
    this.#logger = toLogger(options.logger);
    this.#database = new ManagedDatabase(options.database, (database) => migrateLinks(database, tables));
  }

  /**
   * Creates or migrates the tables, once; every other method waits for it. Await it at start-up
   * to fail fast. After a failure (database down), the next call tries again.
   */
  ready(): Promise<Database> {
    return this.#database.ready();
  }

  /**
   * Applies one association event: a record link (`level: 'record'`) or a link definition
   * (`level: 'definition'`). Safe to call twice with the same event, and in any order.
   * Data Postgres refuses (a table number out of range, a NUL in an id) rejects with a
   * `PermanentError`: no retry can store it, so the receiver parks the event.
   */
  async apply<E extends AssociationEvent>(event: E): Promise<AppliedEvent<E>> {
    const arrivedAt = Date.now();
    const database = await this.ready();
    let applied: AppliedEvent<E>;
    try {
      applied = await applyEvent(database, this.#statements, event, arrivedAt);
    } catch (error) {
      throw asPermanentIfDataError(error, event);
    }
    if (applied.kind === 'skipped') {
      this.#logger.warn(
        { code: 'link_id_missing', provider: event.provider, event: event.native.name, deliveryId: event.deliveryId },
        `The link mirror skipped ${event.native.name} (delivery ${event.deliveryId}): it names no ${event.level === 'definition' ? 'definition' : 'link'} id, so there is no row to keep.`,
      );
    }
    return applied;
  }

  /**
   * Applies every association event of a receiver (or of a queue worker's receiver) as its
   * handlers run; a failure fails the delivery, so the CRM retries it. `onApplied` gets each
   * event completed from the mirror, e.g. a SuperOffice delete with its two ends.
   * Returns a function that detaches the mirror.
   */
  attach<M extends AssociationEventMap<AssociationEvent>>(
    webhooks: CrmWebhooks<M>,
    onApplied?: AppliedHandler<M[AssociationEventName]>,
  ): () => void {
    const handler = async (event: M[AssociationEventName], context: EventContext) => {
      const applied = await this.apply(event);
      await onApplied?.(applied, context);
    };
    // TypeScript cannot relate a generic map's handler to its three names at once; the names are the map's keys.
    const register = handler as never;
    webhooks.on(ASSOCIATION_EVENTS, register);
    return () => void webhooks.off(ASSOCIATION_EVENTS, register);
  }

  /**
   * Empties the tables and applies every association event of `deliveries` again, e.g. a
   * journal's (`mirror.rebuild(journal.deliveries(), webhooks.providers)`): since the mirror is
   * right in any order, the rebuilt tables equal the live ones. Each delivery is verified with
   * `providers` (today's secrets); those that no longer verify are counted, not applied.
   */
  async rebuild(deliveries: AsyncIterable<StoredDelivery>, providers: readonly WebhookProvider[]): Promise<{ applied: number; unverified: number }> {
    const database = await this.ready();
    await database.exec(`TRUNCATE ${this.#tables.links}, ${this.#tables.definitions}`);
    // A receiver of its own, with no other handler, no journal and nothing logged: a rebuild only applies events.
    const receiver = createWebhooks({ providers, logger: this.#logger });
    this.attach(receiver);
    let applied = 0;
    let unverified = 0;
    for await (const delivery of deliveries) {
      const outcome = await receiver.replay(delivery);
      if (outcome.error) unverified += 1;
      const failed = outcome.events.find((event) => event.result === 'failed' || event.result === 'parked');
      if (failed) throw new Error(`The link mirror could not apply ${failed.name} (delivery ${failed.deliveryId}) while rebuilding; see the error logged above.`);
      applied += outcome.events.length;
    }
    return { applied, unverified };
  }

  /**
   * Deletes one customer's links and definitions, e.g. when it uninstalls your app (HighLevel's
   * `UNINSTALL`): a thousand rows at a time, so deliveries of other tenants never wait behind it.
   * Returns how many rows went. Events of that tenant applied afterwards are kept as usual.
   */
  async forget(target: { readonly provider: string; readonly tenant: string }, options: { readonly batchSize?: number } = {}): Promise<{ links: number; definitions: number }> {
    if (typeof target?.provider !== 'string' || typeof target.tenant !== 'string' || target.tenant === '') {
      throw new TypeError("mirror.forget({ provider, tenant }) needs both, e.g. { provider: 'superoffice', tenant: 'Cust12345' }.");
    }
    const database = await this.ready();
    const where = 'provider = $1 AND tenant = $2';
    const params = [target.provider, target.tenant];
    return {
      links: await deleteInBatches(database, this.#tables.links, where, params, options.batchSize),
      definitions: await deleteInBatches(database, this.#tables.definitions, where, params, options.batchSize),
    };
  }

  /** Closes the embedded database the mirror created itself; a database you passed stays open. */
  close(): Promise<void> {
    return this.#database.close();
  }
}

/**
 * Postgres data exceptions (SQLSTATE class 22: a number out of range, text that is not a
 * number, a NUL byte) and a value too long to index (54000) say the event's own data cannot be
 * stored: retrying cannot help.
 */
function asPermanentIfDataError(error: unknown, event: AssociationEvent): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code.startsWith('22') || code === '54000')) return error;
  return new PermanentError(
    `The link mirror cannot store ${event.native.name} (delivery ${event.deliveryId}): Postgres refused its data ` +
      `(SQLSTATE ${code}, ${describeThrown(error)}). The event is signed, so a retry would carry the same data; ` +
      'it was parked instead. If the CRM sends such values on purpose, map them before applying the event.',
    { cause: error },
  );
}

/** Creates a {@link LinkMirror}: `createLinkMirror()` keeps it in an embedded PGlite. */
export function createLinkMirror(options: LinkMirrorOptions = {}): LinkMirror {
  return new LinkMirror(options);
}
