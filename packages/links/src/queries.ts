import type { AssociationEnd } from '@crmhooks/core';
import type { Database } from '@crmhooks/postgres';
import { toDefinition, toLink, type DefinitionRow, type LinkRow } from './rows.js';
import type { TableNames } from './tables.js';
import type { Link, LinkDefinition, RecordRef } from './types.js';

/** Filters the link queries take. */
export interface LinkQueryOptions {
  /** Only links of this definition (HighLevel association id, SuperOffice `reldef_id`, HubSpot association type). */
  readonly definitionId?: string;
  /** Include deleted links (tombstones). Default false. */
  readonly includeDeleted?: boolean;
}

/** Which rows a listing covers: one CRM's, one tenant's, deleted ones too. */
export interface ListOptions {
  readonly provider?: string;
  /** Only this customer's rows (`''`: rows whose events named no tenant). Default: every tenant. */
  readonly tenant?: string;
  readonly includeDeleted?: boolean;
}

/** Where a record's end of a link matches: its id, and its object type when the reference names one. */
const ENDS_MATCH = `((from_id = $2 AND ($3::text IS NULL OR from_type = $3)) OR (to_id = $2 AND ($3::text IS NULL OR to_type = $3)))`;
const FILTERS = `($4::text IS NULL OR definition_id = $4) AND ($5 OR deleted_at IS NULL) AND ($6::text IS NULL OR tenant = $6)`;

const isEnd = (end: AssociationEnd, record: RecordRef) =>
  end.recordId === record.recordId && (record.objectType === undefined || end.objectType === record.objectType);

/** The read side of the mirror. */
export class LinkQueries {
  constructor(
    private readonly db: () => Promise<Database>,
    private readonly tables: TableNames,
  ) {}

  /** The links of a record, in both directions, ordered by tenant and link id. */
  async linksOf(record: RecordRef, options: LinkQueryOptions = {}): Promise<Link[]> {
    const { rows } = await (await this.db()).query<LinkRow>(
      `SELECT * FROM ${this.tables.links} WHERE provider = $1 AND ${ENDS_MATCH} AND ${FILTERS} ORDER BY tenant, link_id`,
      [record.provider, record.recordId, record.objectType ?? null, options.definitionId ?? null, options.includeDeleted ?? false, record.tenant ?? null],
    );
    return rows.map(toLink);
  }

  /**
   * The records at the other end of a record's links, e.g. the properties a buyer is interested
   * in; each once, though HubSpot keeps a row per direction. A reference without `objectType`
   * matches either end, so a link between contact 7 and person 7 gives both.
   */
  async linkedRecords(record: RecordRef, options: Pick<LinkQueryOptions, 'definitionId'> = {}): Promise<AssociationEnd[]> {
    const links = await this.linksOf(record, options);
    const linked = new Map<string, AssociationEnd>();
    const add = (end: AssociationEnd) => linked.set(JSON.stringify([end.objectType, end.table, end.recordId]), end);
    for (const link of links) {
      if (isEnd(link.from, record)) add(link.to);
      if (isEnd(link.to, record)) add(link.from);
    }
    return [...linked.values()];
  }

  /**
   * A link by the CRM's id, deleted or not; undefined if the mirror has never seen it. Pass the
   * tenant where several customers' CRMs can use the same id (left out: the tenant-less row, else
   * the first tenant's).
   */
  async link(provider: string, id: string, tenant?: string): Promise<Link | undefined> {
    const { rows } = await (await this.db()).query<LinkRow>(
      `SELECT * FROM ${this.tables.links} WHERE provider = $1 AND link_id = $2 AND ($3::text IS NULL OR tenant = $3) ORDER BY tenant LIMIT 1`,
      [provider, id, tenant ?? null],
    );
    return rows[0] && toLink(rows[0]);
  }

  /** Whether two records of one CRM (and one tenant) are linked now, in either direction. */
  async areLinked(a: RecordRef, b: RecordRef, options: Pick<LinkQueryOptions, 'definitionId'> = {}): Promise<boolean> {
    if (a.provider !== b.provider || (a.tenant !== undefined && b.tenant !== undefined && a.tenant !== b.tenant)) return false;
    const tenant = a.tenant ?? b.tenant;
    const links = await this.linksOf({ ...a, ...(tenant !== undefined && { tenant }) }, options);
    return links.some((link) => (isEnd(link.from, a) && isEnd(link.to, b)) || (isEnd(link.to, a) && isEnd(link.from, b)));
  }

  /** Every link, or one CRM's or one tenant's, ordered by provider, tenant and link id. */
  async links(options: ListOptions = {}): Promise<Link[]> {
    const { rows } = await (await this.db()).query<LinkRow>(
      `SELECT * FROM ${this.tables.links} WHERE ($1::text IS NULL OR provider = $1) AND ($2 OR deleted_at IS NULL) AND ($3::text IS NULL OR tenant = $3) ORDER BY provider, tenant, link_id`,
      [options.provider ?? null, options.includeDeleted ?? false, options.tenant ?? null],
    );
    return rows.map(toLink);
  }

  /** The link definitions the CRMs have sent, with their labels and cardinality. */
  async definitions(options: ListOptions = {}): Promise<LinkDefinition[]> {
    const { rows } = await (await this.db()).query<DefinitionRow>(
      `SELECT * FROM ${this.tables.definitions} WHERE ($1::text IS NULL OR provider = $1) AND ($2 OR deleted_at IS NULL) AND ($3::text IS NULL OR tenant = $3) ORDER BY provider, tenant, definition_id`,
      [options.provider ?? null, options.includeDeleted ?? false, options.tenant ?? null],
    );
    return rows.map(toDefinition);
  }
}
