import type { AssociationEvent, AssociationEnd } from '@crmhooks/core';
import type { JournalBucket, JournalEntry, JournalEvent, JournalFilter, JournalState, TenantCounts } from '@crmhooks/journal';
import { JOURNAL_STATES } from '@crmhooks/journal';
import { hourlyChart } from './chart.js';
import { html, type Html } from './html.js';

/** The page around every view. */
export function layout(base: string, title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · crmhooks inspector</title><link rel="stylesheet" href="${base}/inspector.css"></head>
<body><header><h1><a href="${base}/">crmhooks inspector</a></h1><span class="muted">deliveries kept by the journal</span></header>
${body}
</body></html>`.text;
}

const time = (date: Date | null) =>
  date === null ? html`<span class="muted">-</span>` : html`<time datetime="${date.toISOString()}">${date.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>`;
const state = (value: JournalState) => html`<span class="state-${value}">${value}</span>`;
export const deliveryPath = (base: string, event: Pick<JournalEvent, 'provider' | 'deliveryId'>) =>
  `${base}/delivery/${encodeURIComponent(event.provider)}/${encodeURIComponent(event.deliveryId)}`;

/** What the list page shows: the filters as given, a page of events, where the next page starts, and the last day. */
export interface ListView {
  readonly filter: JournalFilter & { readonly search?: string };
  readonly events: readonly JournalEvent[];
  readonly next: string | undefined;
  readonly lastDay: {
    readonly since: Date;
    readonly summary: readonly { provider: string; state: JournalState; count: number }[];
    readonly buckets: readonly JournalBucket[];
    /** The busiest tenants of the day, with their events by state. */
    readonly tenants: readonly TenantCounts[];
  };
  readonly failures: readonly JournalEvent[];
}

export function listPage(base: string, view: ListView): string {
  const { filter } = view;
  const selected = (value: string | undefined, option: string) => (value === option ? html` selected` : html``);
  const stateFilter = typeof filter.state === 'string' ? filter.state : undefined;
  const input = (date: Date | undefined) => (date ? date.toISOString().slice(0, 16) : '');
  return layout(
    base,
    'Deliveries',
    html`<div class="cards">
  <div><h2>Last 24 hours</h2>${hourlyChart(view.lastDay.buckets, view.lastDay.since, 3_600_000)}</div>
  <div><h2>By provider and state, last 24 hours</h2>
    <table class="summary"><thead><tr><th>provider</th><th>state</th><th class="num">events</th></tr></thead><tbody>
    ${view.lastDay.summary.map((row) => html`<tr><td>${row.provider}</td><td>${state(row.state)}</td><td class="num">${row.count}</td></tr>`)}
    ${view.lastDay.summary.length === 0 ? html`<tr><td colspan="3" class="muted">nothing arrived</td></tr>` : html``}
    </tbody></table></div>
  <div><h2>Busiest tenants, last 24 hours</h2>
    <table class="tenants"><thead><tr><th>provider</th><th>tenant</th><th class="num">events</th><th class="num">failed</th></tr></thead><tbody>
    ${view.lastDay.tenants.map(
      (row) => html`<tr><td>${row.provider}</td><td>${
        row.tenant === null ? html`<span class="muted">none</span>` : html`<a href="${base}/?${new URLSearchParams({ provider: row.provider, tenant: row.tenant }).toString()}">${row.tenant}</a>`
      }</td><td class="num">${row.total}</td><td class="num">${(row.states.failed ?? 0) + (row.states.dead ?? 0)}</td></tr>`,
    )}
    ${view.lastDay.tenants.length === 0 ? html`<tr><td colspan="4" class="muted">nothing arrived</td></tr>` : html``}
    </tbody></table></div>
</div>
<h2>Failed and dead, last 24 hours</h2>
${eventTable(base, view.failures, 'failures')}
<h2>Deliveries, newest first</h2>
<form class="filters" method="get" action="${base}/">
  <label>provider<select name="provider"><option value="">any</option>${['superoffice', 'highlevel', 'hubspot', 'attio', 'dataverse'].map((provider) => html`<option${selected(filter.provider, provider)}>${provider}</option>`)}</select></label>
  <label>tenant<input name="tenant" value="${filter.tenant ?? ''}" placeholder="Cust12345"></label>
  <label>event<input name="event" value="${filter.event ?? ''}" placeholder="superoffice.relation.created"></label>
  <label>state<select name="state"><option value="">any</option>${JOURNAL_STATES.map((one) => html`<option${selected(stateFilter, one)}>${one}</option>`)}</select></label>
  <label>since<input type="datetime-local" name="since" value="${input(filter.since)}"></label>
  <label>until<input type="datetime-local" name="until" value="${input(filter.until)}"></label>
  <label>delivery or record id<input name="q" value="${filter.search ?? ''}"></label>
  <button type="submit">Filter</button> <a href="${base}/">clear</a>
</form>
${eventTable(base, view.events, 'deliveries')}
${view.next ? html`<p><a class="next" href="${view.next}">Older deliveries →</a></p>` : html``}`,
  );
}

function eventTable(base: string, events: readonly JournalEvent[], name: string): Html {
  if (events.length === 0) return html`<p class="muted ${name}">None.</p>`;
  return html`<table class="${name}"><thead><tr><th>received</th><th>provider</th><th>tenant</th><th>event</th><th>state</th><th class="num">attempts</th><th>last answer</th><th>signed</th><th>delivery id</th></tr></thead><tbody>
  ${events.map(
    (event) => html`<tr><td>${time(event.receivedAt)}</td><td>${event.provider}</td><td>${event.tenant ?? html`<span class="muted">-</span>`}</td><td>${event.name}</td><td>${state(event.state)}</td><td class="num">${event.attempts}</td>
    <td>${event.lastStatus ?? ''} ${event.lastCode ? html`<code>${event.lastCode}</code>` : ''}</td><td>${time(event.signedAt)}</td>
    <td><a href="${deliveryPath(base, event)}">${event.deliveryId}</a></td></tr>`,
  )}</tbody></table>`;
}

/** What the delivery page shows. */
export interface DeliveryView {
  readonly entry: JournalEntry;
  readonly replayToken: string | undefined;
  readonly replayed?: string;
  readonly links?: readonly { recordId: string; linked: readonly string[] }[];
  /** Every event of the delivery, native and normalized, read with today's secrets. */
  readonly events?: { readonly events: readonly { name: string; deliveryId: string; associations: readonly AssociationEvent[] }[]; readonly error?: { code: string; message: string } };
}

export function deliveryPage(base: string, view: DeliveryView): string {
  const { event, delivery, attempts } = view.entry;
  return layout(
    base,
    `${event.provider} ${event.deliveryId}`,
    html`<h2>${event.name} <span class="muted">${event.provider} · ${event.deliveryId}</span></h2>
${view.replayed ? html`<p class="notice replayed">${view.replayed}</p>` : html``}
<table class="facts"><tbody>
  <tr><th>tenant</th><td>${event.tenant ?? html`<span class="muted">none</span>`}</td></tr>
  <tr><th>state</th><td>${state(event.state)}</td></tr>
  <tr><th>received</th><td>${time(event.receivedAt)}</td></tr>
  <tr><th>signed</th><td>${time(event.signedAt)}</td></tr>
  <tr><th>records</th><td>${event.recordIds.join(', ') || html`<span class="muted">none</span>`}</td></tr>
  <tr><th>request</th><td><code>${delivery.method ?? 'POST'} ${delivery.url ?? ''}</code></td></tr>
</tbody></table>
${
  view.replayToken && delivery.body !== null
    ? html`<form method="post" action="${deliveryPath(base, event)}/replay"><input type="hidden" name="token" value="${view.replayToken}"><button type="submit" class="replay">Replay</button> <span class="muted">runs this event's handlers again (context.replay), verified with today's secret</span></form>`
    : html`<p class="muted">${delivery.body === null ? 'The body was not kept: this delivery cannot be replayed.' : 'Replay is not available: the inspector was given no receiver.'}</p>`
}
${view.events ? eventsTable(view.events, event.deliveryId) : html``}
<h2>Attempts</h2>
<table class="attempts"><thead><tr><th>at</th><th>result</th><th>status</th><th>error</th><th class="num">ms</th><th></th></tr></thead><tbody>
${attempts.map(
  (attempt) => html`<tr><td>${time(attempt.at)}</td><td>${attempt.result}</td><td>${attempt.status ?? ''}</td>
  <td>${attempt.code ? html`<code>${attempt.code}</code> ${attempt.message}` : ''}</td><td class="num">${attempt.durationMs.toFixed(1)}</td><td>${attempt.replay ? 'replay' : ''}</td></tr>`,
)}
</tbody></table>
${
  view.links && view.links.length > 0
    ? html`<h2>Links of its records (link mirror)</h2><table class="links"><tbody>${view.links.map(
        (record) => html`<tr><th>${record.recordId}</th><td>${record.linked.join(', ') || html`<span class="muted">no live links</span>`}</td></tr>`,
      )}</tbody></table>`
    : html``
}
<h2>Headers <span class="muted">(signatures redacted)</span></h2>
<pre class="headers">${Object.entries(delivery.headers).map(([name, value]) => `${name}: ${value}\n`)}</pre>
<h2>Signed body</h2>
<pre class="body">${delivery.body === null ? '(not kept)' : pretty(delivery.body)}</pre>`,
  );
}

function eventsTable(read: NonNullable<DeliveryView['events']>, current: string): Html {
  if (read.error) return html`<h2>Events in this delivery</h2><p class="notice unverified">It no longer verifies with today's secret, so it cannot be read or replayed: <code>${read.error.code}</code> ${read.error.message}</p>`;
  const end = (one: AssociationEnd) => `${one.label ?? one.objectType ?? '?'}#${one.recordId ?? '?'}`;
  return html`<h2>Events in this delivery</h2><table class="events"><thead><tr><th>native event</th><th>delivery id</th><th>normalized</th></tr></thead><tbody>
  ${read.events.map(
    (one) => html`<tr${one.deliveryId === current ? html` class="current"` : html``}><td>${one.name}</td><td>${one.deliveryId}</td>
    <td>${
      one.associations.length > 0
        ? one.associations.map((link) => html`<div>association.${link.action} <span class="muted">(${link.level})</span> ${end(link.from)} → ${end(link.to)}</div>`)
        : html`<span class="muted">not a link change</span>`
    }</td></tr>`,
  )}</tbody></table>`;
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** A short page for refusals and misses. */
export function messagePage(base: string, title: string, message: string): string {
  return layout(base, title, html`<h2>${title}</h2><p>${message}</p><p><a href="${base}/">Back to the deliveries</a></p>`);
}
