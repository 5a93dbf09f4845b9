import type { AssociationEnd, AssociationEvent } from '@crmhooks/core';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createJournal, type Journal } from '@crmhooks/journal';
import { createLinkMirror, pglite, postgres, type AppliedEvent, type Link, type LinkDefinition, type LinkMirror } from '@crmhooks/links';
import type { ExampleConfig } from './config.js';

/** One row of the examples' link table, as GET /links returns it and the demo prints it. */
export interface LinkTableRow {
  readonly provider: string;
  /** The customer whose CRM it is in ('' when its events named none). */
  readonly tenant: string;
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly state: 'linked' | 'deleted';
}

/**
 * The examples' own state: which records are linked (interested buyers and the properties
 * they asked about, contacts related to contacts...), whichever CRM it came from, kept by
 * the link mirror; and the journal of every delivery (also the idempotency store): both in
 * one embedded PGlite, or on Postgres with DATABASE_URL.
 */
export class LinkTable {
  readonly mirror: LinkMirror;
  readonly journal: Journal;
  readonly #pool: pg.Pool | undefined;
  readonly #embedded: PGlite | undefined;

  constructor(
    private readonly app: string,
    settings: Pick<ExampleConfig, 'databaseUrl'> = {},
  ) {
    this.#pool = settings.databaseUrl ? new pg.Pool({ connectionString: settings.databaseUrl }) : undefined;
    this.#pool?.on('error', (error) => console.error(`[${app}] postgres: ${error.message}`));
    this.#embedded = this.#pool ? undefined : new PGlite();
    const database = this.#pool ? postgres(this.#pool) : pglite(this.#embedded!);
    this.mirror = createLinkMirror({ database });
    this.journal = createJournal({ database });
  }

  /** Creates the tables (and starts the embedded database) before the first delivery needs them. */
  async ready(): Promise<void> {
    await Promise.all([this.mirror.ready(), this.journal.ready()]);
  }

  /** What the receiver needs to keep every delivery in the journal, and use it as its store and dead-letter sink. */
  receiverOptions() {
    return { journal: this.journal, store: this.journal.store, deadLetters: this.journal };
  }

  /** Applies a link change and logs it with its delivery id (the demo matches on that). */
  async apply(event: AssociationEvent): Promise<string> {
    const applied = await this.mirror.apply(event);
    const line = `[${this.app}] ${event.deliveryId} ${event.native.name} -> association.${event.action}: ${describe(applied)}`;
    console.log(line);
    return line;
  }

  /** Every link the mirror holds (or one tenant's), deleted ones included, with the labels the CRMs sent. */
  async rows(tenant?: string): Promise<LinkTableRow[]> {
    const filter = { includeDeleted: true, ...(tenant && { tenant }) };
    const [links, definitions] = await Promise.all([this.mirror.links(filter), this.mirror.definitions(filter)]);
    const labels = new Map(definitions.map((definition) => [`${definition.provider}:${definition.tenant}:${definition.id}`, definition]));
    return links.map((link) => row(link, labels.get(`${link.provider}:${link.tenant}:${link.definitionId}`)));
  }

  async close(): Promise<void> {
    await Promise.all([this.mirror.close(), this.journal.close()]);
    await this.#embedded?.close();
    await this.#pool?.end();
  }
}

const name = (end: AssociationEnd, label?: string) => (end.recordId === undefined ? '?' : `${label ?? end.objectType ?? '?'}#${end.recordId}`);

function row(link: Link, definition: LinkDefinition | undefined): LinkTableRow {
  return {
    provider: link.provider,
    tenant: link.tenant ?? '',
    id: link.id,
    from: name(link.from, definition?.from.label),
    to: name(link.to, definition?.to.label),
    state: link.deletedAt ? 'deleted' : 'linked',
  };
}

function describe(applied: AppliedEvent): string {
  const { event } = applied;
  if (applied.kind === 'skipped') return 'skipped: no link id';
  // A definition is a kind of link (buyer <-> property); there are no records in it.
  if (applied.kind === 'definition') {
    const side = (end: AssociationEnd) => end.label ?? end.objectType ?? '?';
    return `link type ${side(event.from)} <-> ${side(event.to)} ${event.action}`;
  }
  const verb = { created: 'linked', updated: 'updated', deleted: 'unlinked' }[event.action];
  // A SuperOffice delete names only the relation: the ends printed here come from the mirror.
  const change = `${verb} ${name(event.from)} -> ${name(event.to)}`;
  return applied.stale ? `${change} (older than what the mirror holds: kept as is)` : change;
}
