import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigurationError, type CrmWebhooks } from '@crmhooks/core';
import type { Journal, JournalAttempt, JournalCursor, JournalFilter, JournalState, ReplayTarget } from '@crmhooks/journal';
import { JOURNAL_STATES } from '@crmhooks/journal';
import { deliveryPage, deliveryPath, listPage, messagePage } from './pages.js';
import { STYLE } from './style.js';
import { toNodeListener } from './node.js';

/** Options of {@link createInspector}. */
export interface InspectorOptions {
  /** The journal to show (`@crmhooks/journal`). */
  readonly journal: Journal;
  /** Decides whether a request may see the inspector (your session or token check). Required, unless `localOnly`. */
  readonly authorize?: (request: Request) => boolean | Promise<boolean>;
  /**
   * For local use only: without `authorize`, let requests from loopback addresses (127.0.0.1, ::1)
   * in, and refuse every other. Needs the client's address: works through `inspector.node`
   * (node:http, Express, Koa, Fastify, NestJS), not through `fetch` alone.
   */
  readonly localOnly?: boolean;
  /** The receiver a Replay runs through (the same handlers), and that reads a delivery's events. Without it, no Replay button. */
  readonly webhooks?: ReplayTarget & Pick<CrmWebhooks<object>, 'eventsOf'>;
  /** A link mirror (`@crmhooks/links`): a delivery's page then shows the links of its records. */
  readonly mirror?: { linksOf(record: { provider: string; recordId: string }): Promise<readonly { id: string; from: { recordId?: string }; to: { recordId?: string }; deletedAt?: Date | null }[]> };
  /** The path it is mounted at, e.g. `/inspector`; links are built from it. Default: `/inspector`. */
  readonly basePath?: string;
}

/** The inspector: a Web handler, and the same as a node:http listener. */
export interface Inspector {
  /** `(Request) => Response`, for Hono, Next.js route handlers and other Web-standard hosts. */
  fetch(request: Request, client?: { readonly remoteAddress?: string }): Promise<Response>;
  /** `(req, res)`: node:http, Express (`app.use('/inspector', inspector.node)`), Koa, Fastify, NestJS. */
  readonly node: (request: IncomingMessage, response: ServerResponse) => void;
}

const SECURITY_HEADERS = {
  // No script at all; styles only from the inspector's own stylesheet; forms post only back to it.
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the Replay form, which then looks cross-site.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A small web page over the journal: deliveries newest first with filters, one delivery with
 * its attempts and signed body, a Replay button, failures and counts of the last 24 hours.
 * Server-rendered, no script, no external assets; every payload string is escaped.
 */
export function createInspector(options: InspectorOptions): Inspector {
  if (options.authorize === undefined && !options.localOnly) {
    throw new ConfigurationError(
      "createInspector() shows your customers' data: pass authorize(request) (check your session or a token), " +
        'or localOnly: true to let only loopback requests in while you work on your own machine.',
    );
  }
  const base = (options.basePath ?? '/inspector').replace(/\/+$/, '');
  // Replay tokens: an HMAC of the delivery under a key that lives as long as this process.
  const key = randomBytes(32);
  const tokenFor = (provider: string, deliveryId: string) => createHmac('sha256', key).update(`${provider}\n${deliveryId}`).digest('base64url');

  const fetch = async (request: Request, client: { readonly remoteAddress?: string } = {}): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(`${base}/`) || url.pathname === base ? url.pathname.slice(base.length) : url.pathname;
    // The stylesheet holds no data: served to anyone, so the refusal page is styled too.
    if (path === '/inspector.css') return new Response(STYLE, { headers: { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8' } });
    if (!(await allowed(request, client))) return page(403, messagePage(base, 'Not allowed', 'This inspector needs authorization.'));
    if (path === '' || path === '/') {
      if (request.method !== 'GET') return page(405, messagePage(base, 'Not allowed', 'Only GET here.'));
      return page(200, await list(url));
    }
    const match = /^\/delivery\/([^/]+)\/([^/]+)(\/replay)?$/.exec(path);
    if (match === null) return page(404, messagePage(base, 'Not found', 'No such page.'));
    const provider = decodeURIComponent(match[1]!);
    const deliveryId = decodeURIComponent(match[2]!);
    if (match[3] === undefined) {
      if (request.method !== 'GET') return page(405, messagePage(base, 'Not allowed', 'Only GET here.'));
      return show(provider, deliveryId, replayedParam(url.searchParams));
    }
    if (request.method !== 'POST') return page(405, messagePage(base, 'Not allowed', 'Replay is a POST.'));
    return replay(request, provider, deliveryId);
  };

  async function allowed(request: Request, client: { readonly remoteAddress?: string }): Promise<boolean> {
    if (options.authorize !== undefined) return (await options.authorize(request)) === true;
    return isLoopback(client.remoteAddress);
  }

  async function list(url: URL): Promise<string> {
    const params = url.searchParams;
    const filter: JournalFilter & { search?: string } = {
      ...(params.get('provider') && { provider: params.get('provider')! }),
      ...(params.get('tenant') && { tenant: params.get('tenant')! }),
      ...(params.get('event') && { event: params.get('event')! }),
      ...(JOURNAL_STATES.includes(params.get('state') as JournalState) && { state: params.get('state') as JournalState }),
      ...(dateParam(params.get('since')) && { since: dateParam(params.get('since'))! }),
      ...(dateParam(params.get('until')) && { until: dateParam(params.get('until'))! }),
    };
    const search = params.get('q')?.trim() || undefined;
    const after = cursorParam(params.get('after'));
    let events = search ? await options.journal.list({ ...filter, deliveryId: search }, { limit: 50, after }) : [];
    if (!search || events.length === 0) events = await options.journal.list(search ? { ...filter, recordId: search } : filter, { limit: 50, after });
    const since = new Date(Math.floor((Date.now() - DAY_MS) / 3_600_000 + 1) * 3_600_000);
    // With a tenant chosen, the last day's cards are that customer's too.
    const ofTenant = filter.tenant === undefined ? {} : { tenant: filter.tenant };
    const [buckets, failures, tenants] = await Promise.all([
      options.journal.countsOverTime({ since, ...ofTenant }, 3_600_000),
      options.journal.list({ since, state: ['failed', 'dead'], ...ofTenant }, { limit: 20 }),
      options.journal.tenantSummary({ since, ...ofTenant }, { limit: 10 }),
    ]);
    // The day's totals are the hours' sums: one pass over the day's rows, not two.
    const totals = new Map<string, { provider: string; state: JournalState; count: number }>();
    for (const bucket of buckets) {
      const key = `${bucket.provider} ${bucket.state}`;
      const total = totals.get(key) ?? { provider: bucket.provider, state: bucket.state, count: 0 };
      totals.set(key, { ...total, count: total.count + bucket.count });
    }
    const summary = [...totals.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.state.localeCompare(b.state));
    const last = events.length === 50 ? events.at(-1) : undefined;
    let next: string | undefined;
    if (last) {
      const more = new URLSearchParams(params);
      more.set('after', Buffer.from(JSON.stringify([last.receivedAt.toISOString(), last.provider, last.deliveryId])).toString('base64url'));
      next = `${base}/?${more}`;
    }
    return listPage(base, { filter: { ...filter, ...(search && { search }) }, events, next, lastDay: { since, summary, buckets, tenants }, failures });
  }

  async function show(provider: string, deliveryId: string, reference: ReplayedReference | undefined): Promise<Response> {
    const entry = await options.journal.show(provider, deliveryId);
    if (entry === undefined) return page(404, messagePage(base, 'Not found', `The journal has no ${provider} delivery ${deliveryId}.`));
    const replayed = reference && replayedNotice(reference, entry.attempts);
    const links = options.mirror
      ? await Promise.all(
          entry.event.recordIds.map(async (recordId) => ({
            recordId,
            linked: (await options.mirror!.linksOf({ provider, recordId, ...(entry.event.tenant !== null && { tenant: entry.event.tenant }) }))
              .filter((link) => !link.deletedAt)
              .map((link) => `${link.id}: ${link.from.recordId ?? '?'} <-> ${link.to.recordId ?? '?'}`),
          })),
        )
      : undefined;
    const replayToken = options.webhooks ? tokenFor(provider, deliveryId) : undefined;
    const stored = options.webhooks && entry.delivery.body !== null ? await options.journal.deliveryOf(provider, deliveryId) : undefined;
    const events = stored && (await options.webhooks!.eventsOf(stored));
    return page(200, deliveryPage(base, { entry, replayToken, ...(replayed && { replayed }), ...(links && { links }), ...(events && { events }) }));
  }

  async function replay(request: Request, provider: string, deliveryId: string): Promise<Response> {
    // Cross-site requests never replay: a browser says where a form came from, and the token proves this page made it.
    const site = request.headers.get('sec-fetch-site');
    const origin = request.headers.get('origin');
    if ((site !== null && site !== 'same-origin') || (origin !== null && origin !== new URL(request.url).origin)) {
      return page(403, messagePage(base, 'Not allowed', 'Replays are only accepted from the inspector itself.'));
    }
    const token = String((await request.formData().catch(() => undefined))?.get('token') ?? '');
    const expected = Buffer.from(tokenFor(provider, deliveryId));
    if (!options.webhooks || token.length !== expected.length || !timingSafeEqual(Buffer.from(token), expected)) {
      return page(403, messagePage(base, 'Not allowed', 'The replay form has expired: open the delivery again.'));
    }
    const report = await options.journal.replay(options.webhooks, { provider, deliveryId });
    // The page learns what happened from the journal, by reference: a link can name an attempt that exists, never say anything.
    const skipped = report.skipped[0];
    const reference: Record<string, string> = skipped === undefined ? { replayed: String((await newestReplay(provider, deliveryId)) ?? '') } : { skipped: skippedReason(skipped.code) };
    // Post/redirect/get: reloading the page never replays twice.
    return new Response(null, {
      status: 303,
      headers: { ...SECURITY_HEADERS, location: `${deliveryPath(base, { provider, deliveryId })}?${new URLSearchParams(reference)}` },
    });
  }

  /** When the newest replay of the event was noted, ms since the epoch. */
  async function newestReplay(provider: string, deliveryId: string): Promise<number | undefined> {
    const entry = await options.journal.show(provider, deliveryId);
    return entry?.attempts.filter((attempt) => attempt.replay).at(-1)?.at.getTime();
  }

  return { fetch, node: toNodeListener(fetch) };
}

function page(status: number, body: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' } });
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function dateParam(value: string | null): Date | undefined {
  if (!value) return undefined;
  // <input type="datetime-local"> sends no zone: the page shows UTC, so it is read as UTC.
  const date = new Date(/Z|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function cursorParam(value: string | null): JournalCursor | undefined {
  if (!value) return undefined;
  try {
    const [receivedAt, provider, deliveryId] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [string, string, string];
    return { receivedAt: new Date(receivedAt), provider: String(provider), deliveryId: String(deliveryId) };
  } catch {
    return undefined;
  }
}

/** What the page after a replay is told: when the replay's attempt was noted, or why nothing ran. */
type ReplayedReference = { readonly at: number } | { readonly skipped: SkippedReason };

const SKIPPED = {
  in_progress: 'Not replayed: it is being handled right now (a copy the CRM sent, or another replay). Try again once that has finished.',
  no_body: 'Not replayed: its body was not kept (keepBodies: false, or pruned).',
  unverified: "Not replayed: it no longer verifies with today's secrets (a rotated secret or key).",
  other: 'Not replayed: see the log for why.',
} as const;
type SkippedReason = keyof typeof SKIPPED;

/** The page's reason for a replay's skip code (see `SkippedEvent.code`). */
function skippedReason(code: string): SkippedReason {
  if (code === 'in_progress') return 'in_progress';
  if (code === 'body_not_kept') return 'no_body';
  if (/^(signature_|timestamp_|tenant_)/.test(code)) return 'unverified';
  return 'other';
}

function replayedParam(params: URLSearchParams): ReplayedReference | undefined {
  const skipped = params.get('skipped');
  if (skipped !== null) return Object.hasOwn(SKIPPED, skipped) ? { skipped: skipped as SkippedReason } : undefined;
  const at = Number(params.get('replayed'));
  return Number.isSafeInteger(at) && at > 0 ? { at } : undefined;
}

/** The notice for a replay, from the journal's own attempt (none when the reference names no replay of this event). */
function replayedNotice(reference: ReplayedReference, attempts: readonly JournalAttempt[]): string | undefined {
  if ('skipped' in reference) return SKIPPED[reference.skipped];
  const attempt = attempts.find((one) => one.replay && one.at.getTime() === reference.at);
  if (attempt === undefined) return undefined;
  const when = `${attempt.at.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  return attempt.result === 'failed' || attempt.code !== null
    ? `Replayed at ${when}: ${attempt.result}${attempt.code ? ` (${attempt.code})` : ''}; see the attempts below.`
    : `Replayed at ${when}: ${attempt.result}.`;
}
