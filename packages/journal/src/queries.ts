import type { Database } from '@crmhooks/postgres';
import { JournalCounts } from './counts.js';
import type { JournalTables } from './tables.js';
import { JOURNAL_STATES, type JournalAttempt, type JournalCursor, type JournalEntry, type JournalEvent, type JournalFilter, type JournalState } from './types.js';

export interface EventRow {
  provider: string;
  tenant: string | null;
  delivery_id: string;
  name: string;
  state: JournalState;
  received_at: Date;
  signed_at: Date | null;
  attempts: number;
  last_status: number | null;
  last_code: string | null;
  last_message: string | null;
  record_ids: string[];
  updated_at: Date;
  delivery: string | null;
}

const EVENT_COLUMNS = 'provider, tenant, delivery_id, name, state, received_at, signed_at, attempts, last_status, last_code, last_message, record_ids, updated_at, delivery';

/** `WHERE` text and parameters for a filter (and a cursor), parameters numbered from 1. */
export function whereOf(filter: JournalFilter, after?: JournalCursor, oldestFirst = false): { where: string; params: unknown[] } {
  // No text column of Postgres can hold U+0000, so nothing matches it: asking would only be refused.
  if (holdsAnyNul(filter)) return { where: 'WHERE false', params: [] };
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (clause: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${params.length}`));
  };
  if (filter.provider !== undefined) add((p) => `provider = ${p}`, filter.provider);
  if (filter.tenant !== undefined) add((p) => `tenant = ${p}`, filter.tenant);
  if (filter.event !== undefined) add((p) => `name = ${p}`, filter.event);
  if (filter.state !== undefined) add((p) => `state = ANY(${p}::text[])`, typeof filter.state === 'string' ? [filter.state] : [...filter.state]);
  if (filter.since !== undefined) add((p) => `received_at >= ${p}`, filter.since);
  if (filter.until !== undefined) add((p) => `received_at < ${p}`, filter.until);
  if (filter.deliveryId !== undefined) add((p) => `delivery_id = ${p}`, filter.deliveryId);
  if (filter.recordId !== undefined) add((p) => `record_ids @> ARRAY[${p}::text]`, filter.recordId);
  if (after !== undefined) {
    params.push(after.receivedAt, after.provider, after.deliveryId);
    const n = params.length;
    clauses.push(`(received_at, provider, delivery_id) ${oldestFirst ? '>' : '<'} ($${n - 2}, $${n - 1}, $${n})`);
  }
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

export const toEvent = (row: EventRow): JournalEvent => ({
  provider: row.provider,
  tenant: row.tenant,
  deliveryId: row.delivery_id,
  name: row.name,
  state: row.state,
  receivedAt: row.received_at,
  signedAt: row.signed_at,
  attempts: row.attempts,
  lastStatus: row.last_status,
  lastCode: row.last_code,
  lastMessage: row.last_message,
  recordIds: row.record_ids,
  updatedAt: row.updated_at,
});

/** Reading the journal: newest first, in pages; one event in full; counts. */
export class JournalQueries {
  readonly #database: () => Promise<Database>;
  readonly #t: JournalTables;
  /** The counts by hour and tenant, kept as events change. */
  protected readonly counts: JournalCounts;

  constructor(database: () => Promise<Database>, tables: JournalTables) {
    this.#database = database;
    this.#t = tables;
    this.counts = new JournalCounts(tables);
  }

  /**
   * The newest events matching `filter`, at most `limit` (default 50, at most 1,000); `after`
   * continues a listing. Both may be given with the filter or as the second argument:
   * `list({ state: 'failed', limit: 1000 })` and `list({ state: 'failed' }, { limit: 1000 })` are the same.
   */
  async list(query: JournalFilter & ListOptions = {}, options: ListOptions = {}): Promise<JournalEvent[]> {
    const { limit = options.limit, after = options.after, ...filter } = query;
    return (await this.rows(filter, Math.min(Math.max(1, limit ?? 50), 1000), after)).map(toEvent);
  }

  /** A page of rows with the delivery they belong to, newest first (listings) or oldest first (replays, rebuilds). */
  async rows(filter: JournalFilter, limit: number, after?: JournalCursor, oldestFirst = false): Promise<EventRow[]> {
    const db = await this.#database();
    const order = oldestFirst ? 'ASC' : 'DESC';
    const orderBy = `ORDER BY received_at ${order}, provider ${order}, delivery_id ${order} LIMIT ${limit}`;
    const states = statesToMerge(filter);
    if (states !== undefined) {
      // One ordered index scan per state, merged: a busy tenant's few failures are found without
      // reading its other events, and a state that is common is not sorted whole.
      const { where, params } = whereOf({ ...filter, state: undefined }, after, oldestFirst);
      const branches = states.map((state) => `(SELECT ${EVENT_COLUMNS} FROM ${this.#t.events} ${where === '' ? 'WHERE' : `${where} AND`} state = $${params.push(state)} ${orderBy})`);
      return (await db.query<EventRow>(`${branches.join(' UNION ALL ')} ${orderBy}`, params)).rows;
    }
    const { where, params } = whereOf(filter, after, oldestFirst);
    // A record's events are few: found through the GIN index first, then sorted. Left to itself, a
    // prepared (generic) plan walks the time index instead, reading most of the table (300 ms on 1M rows).
    // (OFFSET 0 keeps the subquery planned on its own.)
    const matching = filter.recordId === undefined ? `${this.#t.events} ${where}` : `(SELECT ${EVENT_COLUMNS} FROM ${this.#t.events} ${where} OFFSET 0) AS matched`;
    return (await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${matching} ${orderBy}`, params)).rows;
  }

  /** Every matching row, oldest first, read a page at a time. */
  async *oldestFirst(filter: JournalFilter): AsyncGenerator<EventRow> {
    let after: JournalCursor | undefined;
    for (;;) {
      const page = await this.rows(filter, 1000, after, true);
      yield* page;
      if (page.length < 1000) return;
      const last = page.at(-1)!;
      after = { receivedAt: last.received_at, provider: last.provider, deliveryId: last.delivery_id };
    }
  }

  /** One event in full: its delivery (signatures redacted, body as text) and every attempt; undefined if unknown. */
  async show(provider: string, deliveryId: string): Promise<JournalEntry | undefined> {
    if (holdsNul(provider) || holdsNul(deliveryId)) return undefined; // no row can hold U+0000
    const db = await this.#database();
    // Its claim names the day it is filed under: each statement then reads one partition.
    const [claim] = (await db.query<{ received_at: Date }>(`SELECT received_at FROM ${this.#t.claims} WHERE provider = $1 AND delivery_id = $2`, [provider, deliveryId])).rows;
    if (claim === undefined) return undefined;
    const key = [provider, deliveryId, claim.received_at];
    const [row] = (await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${this.#t.events} WHERE provider = $1 AND delivery_id = $2 AND received_at = $3`, key)).rows;
    if (row === undefined) return undefined;
    const [delivery] = row.delivery === null ? [] : (await db.query<{ method: string | null; url: string | null; headers: Record<string, string>; body: Uint8Array | null }>(
      `SELECT method, url, headers, body FROM ${this.#t.deliveries} WHERE id = $1 AND received_at = $2`,
      [row.delivery, row.received_at],
    )).rows;
    const attempts = await db.query<{ at: Date; result: string; status: number | null; code: string | null; message: string | null; duration_ms: number; replay: boolean }>(
      `SELECT at, result, status, code, message, duration_ms, replay FROM ${this.#t.attempts} WHERE provider = $1 AND delivery_id = $2 AND received_at = $3 ORDER BY at, id`,
      key,
    );
    return {
      event: toEvent(row),
      delivery: {
        method: delivery?.method ?? null,
        url: delivery?.url ?? null,
        headers: redacted(delivery?.headers ?? {}),
        body: delivery?.body ? Buffer.from(delivery.body).toString('utf8') : null,
      },
      attempts: attempts.rows.map(
        (attempt): JournalAttempt => ({ at: attempt.at, result: attempt.result, status: attempt.status, code: attempt.code, message: attempt.message, durationMs: attempt.duration_ms, replay: attempt.replay }),
      ),
    };
  }

  /** How many events each provider has in each state (matching `filter`). */
  async summary(filter: JournalFilter = {}): Promise<{ provider: string; state: JournalState; count: number }[]> {
    const { where, params } = whereOf(filter);
    const db = await this.#database();
    const rows = await db.query<{ provider: string; state: JournalState; count: string }>(
      `SELECT provider, state, count(*) AS count FROM ${this.#t.events} ${where} GROUP BY provider, state ORDER BY provider, state`,
      params,
    );
    return rows.rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  /**
   * How many events each tenant has in each state (matching `filter`), the busiest tenants first,
   * at most `limit` tenants (default 50): who is sending, and whose deliveries fail.
   */
  async tenantSummary(filter: JournalFilter = {}, options: { readonly limit?: number } = {}): Promise<TenantCounts[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 50), 1000);
    const db = await this.#database();
    let rows: { provider: string; tenant: string | null; state: JournalState; count: string }[];
    // The last 24 hours (since the hour 23 hours before this one) are counted as they change.
    const windowStart = filter.since !== undefined && onlyKeys(filter, ['since', 'provider', 'tenant']) && !holdsAnyNul(filter) ? await this.counts.fold(db) : null;
    if (windowStart !== null && windowStart.getTime() === filter.since!.getTime()) {
      rows = (await this.counts.lastDay(db, windowStart, filter)) as typeof rows;
    } else {
      const { where, params } = whereOf(filter);
      params.push(limit);
      rows = (
        await db.query<{ provider: string; tenant: string | null; state: JournalState; count: string }>(
          `WITH counted AS (SELECT provider, tenant, state, count(*) AS count FROM ${this.#t.events} ${where} GROUP BY provider, tenant, state),
             busiest AS (SELECT provider, tenant FROM counted GROUP BY provider, tenant ORDER BY sum(count) DESC, provider, tenant LIMIT $${params.length})
           SELECT c.provider, c.tenant, c.state, c.count FROM counted c JOIN busiest b ON b.provider = c.provider AND b.tenant IS NOT DISTINCT FROM c.tenant`,
          params,
        )
      ).rows;
    }
    const tenants = new Map<string, { provider: string; tenant: string | null; total: number; states: Partial<Record<JournalState, number>> }>();
    for (const row of rows) {
      const key = JSON.stringify([row.provider, row.tenant]);
      const entry = tenants.get(key) ?? { provider: row.provider, tenant: row.tenant, total: 0, states: {} };
      entry.states[row.state] = Number(row.count);
      entry.total += Number(row.count);
      tenants.set(key, entry);
    }
    return [...tenants.values()]
      .sort((a, b) => b.total - a.total || a.provider.localeCompare(b.provider) || String(a.tenant).localeCompare(String(b.tenant)))
      .slice(0, limit);
  }

  /**
   * How many events arrived in each `bucketMs` (e.g. an hour), by provider and state: give `since`, or it counts the whole journal.
   * Hourly counts filtered by provider, tenant, state and whole hours are read from counts kept as events change.
   */
  async countsOverTime(filter: JournalFilter, bucketMs: number): Promise<JournalBucket[]> {
    const db = await this.#database();
    const wholeHour = (date: Date | undefined) => date === undefined || date.getTime() % HOUR_MS === 0;
    if (bucketMs === HOUR_MS && onlyKeys(filter, ['provider', 'tenant', 'state', 'since', 'until']) && wholeHour(filter.since) && wholeHour(filter.until)) {
      if (holdsAnyNul(filter)) return [];
      const states = filter.state === undefined ? undefined : typeof filter.state === 'string' ? [filter.state] : [...filter.state];
      const rows = await this.counts.hourly(db, { ...filter, states });
      return rows.map((row) => ({ start: row.start, provider: row.provider, state: row.state as JournalState, count: Number(row.count) }));
    }
    const { where, params } = whereOf(filter);
    params.push(bucketMs);
    const bucket = `$${params.length}::float8`;
    const rows = await db.query<{ start: Date; provider: string; state: JournalState; count: string }>(
      `SELECT to_timestamp(floor(extract(epoch FROM received_at) * 1000 / ${bucket}) * ${bucket} / 1000) AS start, provider, state, count(*) AS count
       FROM ${this.#t.events} ${where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      params,
    );
    return rows.rows.map((row) => ({ ...row, count: Number(row.count) }));
  }
}

/** How much of a listing `list` returns. */
export interface ListOptions {
  /** At most this many events: 1 to 1,000. Default 50. */
  readonly limit?: number;
  /** Where the previous page ended: events after it. */
  readonly after?: JournalCursor;
}

/** One tenant's events, by state. */
export interface TenantCounts {
  readonly provider: string;
  /** null: events whose signed bytes named no tenant, or kept before tenants were. */
  readonly tenant: string | null;
  readonly total: number;
  readonly states: Readonly<Partial<Record<JournalState, number>>>;
}

/** Counts per time bucket, provider and state, for a chart. */
export interface JournalBucket {
  readonly start: Date;
  readonly provider: string;
  readonly state: JournalState;
  readonly count: number;
}

/** Signatures prove a delivery; shown, they help forge nothing but are still nobody's business. */
function redacted(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, name.includes('signature') && name !== 'x-hubspot-signature-version' ? '[redacted]' : value]));
}

const HOUR_MS = 3_600_000;

/**
 * The states to read one by one and merge (each through an index on state and time): several
 * states asked for, or a tenant's events in any state. None when an id narrows the search anyway.
 */
function statesToMerge(filter: JournalFilter): readonly JournalState[] | undefined {
  if (filter.recordId !== undefined || filter.deliveryId !== undefined) return undefined;
  if (filter.state === undefined) return filter.tenant === undefined ? undefined : JOURNAL_STATES;
  return typeof filter.state === 'string' || filter.state.length < 2 ? undefined : [...new Set(filter.state)];
}

/** Whether the filter narrows by nothing but `keys`. */
function onlyKeys(filter: JournalFilter, keys: readonly (keyof JournalFilter)[]): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || keys.includes(key as keyof JournalFilter));
}

/** Whether any of a filter's texts holds U+0000. */
function holdsAnyNul(filter: JournalFilter): boolean {
  return [filter.provider, filter.tenant, filter.event, filter.deliveryId, filter.recordId].some(holdsNul);
}

/** Whether a value holds U+0000, which no text column of Postgres can. */
function holdsNul(value: string | undefined): boolean {
  return value !== undefined && value.includes('\u0000');
}
