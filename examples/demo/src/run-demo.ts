import { sendDelivery } from '@crmhooks/cli';
import { generateHighLevelKeyPair, superOfficeSample } from '@crmhooks/core/testing';
import { scenario, type LinkTableRow, type ScenarioStep } from '@crmhooks/example-links';
import { APPS, startApp, type AppName, type RunningApp } from './apps.js';
import { painter } from './paint.js';

const SUPEROFFICE_SECRET = 'demo-superoffice-secret';
const HUBSPOT_SECRET = 'demo-hubspot-client-secret';
const ATTIO_SECRET = 'demo-attio-webhook-secret';
const DATAVERSE_KEY = 'demo-dataverse-webhook-key';
/** Two more SuperOffice customers of the same app, each with its own webhook secret. */
const TENANT_SECRETS = { Cust1: 'demo-secret-of-cust1', Cust2: 'demo-secret-of-cust2' } as const;

/** The delivery id the app logs a handled delivery with (a HubSpot batch: its first event's). */
const deliveryId = (step: ScenarioStep): string => step.delivery.deliveryIds?.[0] ?? '';

/**
 * Starts every example, sends each the scenario, prints what happened, and
 * resolves to the number of unexpected outcomes (0 means the demo passed).
 */
export async function runDemo(print: (line: string) => void = console.log, paint = painter(), options: { readonly inspect?: boolean } = {}): Promise<number> {
  // A fresh development key: the apps trust it through HIGHLEVEL_PUBLIC_KEY, as a user would with `crmhooks keygen`.
  const key = generateHighLevelKeyPair();
  // A secret per SuperOffice customer: the samples' own (Cust26759) and two more.
  const tenantSecrets = { [superOfficeSample('relation.created').ContextIdentifier]: SUPEROFFICE_SECRET, ...TENANT_SECRETS };
  const env = {
    SUPEROFFICE_TENANT_SECRETS: JSON.stringify(tenantSecrets),
    HIGHLEVEL_PUBLIC_KEY: key.publicKey,
    HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
    ATTIO_WEBHOOK_SECRET: ATTIO_SECRET,
    DATAVERSE_WEBHOOK_KEY: DATAVERSE_KEY,
  };
  const names = Object.keys(APPS) as AppName[];

  print(paint('bold', `crmhooks demo: starting the ${names.join(', ')} examples on free local ports...`));
  const started = Date.now();
  const apps = await Promise.allSettled(names.map((name) => startApp(name, env)));
  const running = apps.flatMap((app) => (app.status === 'fulfilled' ? [app.value] : []));
  try {
    for (const app of apps) if (app.status === 'rejected') throw app.reason;
    print(paint('dim', `all listening after ${((Date.now() - started) / 1000).toFixed(1)} s\n`));

    let unexpected = 0;
    const totals = { delivered: 0, handled: 0, duplicates: 0, rejected: 0 };
    const tables: string[] = [];
    for (const app of running) {
      print(paint(['bold', 'cyan'], `${app.name}  ${app.url}`));
      const steps = scenario({
        superOfficeSecret: SUPEROFFICE_SECRET,
        highLevelKey: key.privateKey,
        hubSpotSecret: HUBSPOT_SECRET,
        url: app.url,
        tenantSecrets: TENANT_SECRETS,
        attioSecret: ATTIO_SECRET,
        dataverseKey: DATAVERSE_KEY,
      });
      for (const step of steps) {
        const outcome = await deliver(app, step);
        totals.delivered += 1;
        if (outcome.ok) {
          if (step.note === 'duplicate') totals.duplicates += 1;
          else if (step.expectedStatus === 200) totals.handled += 1;
          else totals.rejected += 1;
        } else unexpected += 1;
        const status = paint(outcome.ok ? (outcome.status === 200 ? 'green' : 'yellow') : ['red', 'bold'], String(outcome.status));
        const event = `${step.provider.padEnd(11)} ${(step.event + (step.note ? ` (${step.note})` : '')).padEnd(41)}`;
        print(`  ${status}  ${event} ${outcome.ok ? paint('dim', outcome.detail) : paint('red', outcome.detail)}`);
      }
      print('');
      tables.push(JSON.stringify(await linkTable(app)));
    }

    // Every app applied the same events in the same order: their link tables must agree.
    const rows = JSON.parse(tables[0]!) as LinkTableRow[];
    const agree = tables.every((table) => table === tables[0]);
    if (!agree) unexpected += 1;
    print(paint('bold', `the link table (GET /links), the same in ${agree ? `all ${running.length} apps` : paint('red', 'NOT every app')}:`));
    for (const line of formatTable(rows)) print(`  ${line.startsWith('provider') ? paint('dim', line) : line}`);
    print('');

    // Two customers' relation 20, one receiver: each tenant's query sees its own link only.
    print(paint('bold', "two SuperOffice customers, one receiver: each one's relation 20 (GET /links?tenant=...)"));
    for (const [tenant, expected] of [['Cust1', 'contact#100 <-> person#200'], ['Cust2', 'contact#300 <-> person#400']] as const) {
      const own = await Promise.all(running.map((app) => linkTable(app, tenant)));
      const seen = own[0]!.map((row) => `${row.from} <-> ${row.to}`);
      const right = own.every((table) => JSON.stringify(table) === JSON.stringify(own[0])) && JSON.stringify(seen) === JSON.stringify([expected]);
      if (!right) unexpected += 1;
      print(`  ${tenant.padEnd(6)} relation 20: ${seen.join(', ') || '(none)'} ${right ? paint('dim', `(the same in all ${running.length} apps)`) : paint(['red', 'bold'], `expected ${expected} in every app`)}`);
    }
    print('');

    // Every app kept the same deliveries (not the forgery); the copy is one more attempt, not a delivery.
    const journals = await Promise.all(running.map(journalSummary));
    const same = journals.every((journal) => JSON.stringify(journal) === JSON.stringify(journals[0]));
    if (!same) unexpected += 1;
    print(paint('bold', `the journal (GET /journal), deliveries by provider and state, the same in ${same ? `all ${running.length} apps` : paint('red', 'NOT every app')}:`));
    for (const row of journals[0]!) print(`  ${row.provider.padEnd(12)} ${row.state.padEnd(8)} ${row.count}`);
    print(paint('dim', '  (find and replay them with `crmhooks journal`; see packages/journal)'));
    print('');

    const verdict = unexpected === 0 ? paint(['green', 'bold'], 'every outcome as expected') : paint(['red', 'bold'], `${unexpected} unexpected outcomes`);
    print(
      `${paint('bold', 'summary:')} ${totals.delivered} deliveries to ${running.length} apps: ${totals.handled} handled, ` +
        `${totals.duplicates} duplicates answered without dispatch, ${totals.rejected} forgeries refused; ${verdict}.`,
    );
    if (options.inspect) {
      const express = running.find((app) => app.name === 'express')!;
      print('');
      print(`${paint('bold', 'inspector:')} ${express.url.replace(/\/webhooks\/crm$/, '/inspector/')}  (the deliveries above; replay one from its page)`);
      print(paint('dim', 'the apps keep running: press Ctrl-C to stop them'));
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return unexpected;
  } finally {
    await Promise.all(running.map((app) => app.stop()));
  }
}

/** The app's link table (or one tenant's), from its GET /links. */
async function linkTable(app: RunningApp, tenant?: string): Promise<LinkTableRow[]> {
  const response = await fetch(app.url.replace(/\/webhooks\/crm$/, '/links') + (tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''));
  return (await response.json()) as LinkTableRow[];
}

/** The app's journal summary, from its GET /journal. */
async function journalSummary(app: RunningApp): Promise<{ provider: string; state: string; count: number }[]> {
  const response = await fetch(app.url.replace(/\/webhooks\/crm$/, '/journal'));
  return (await response.json()) as { provider: string; state: string; count: number }[];
}

/** The rows as aligned columns: provider, tenant, link id, from, to, state. */
function formatTable(rows: readonly LinkTableRow[]): string[] {
  const cells = [['provider', 'tenant', 'link', 'from', '', 'to', 'state'], ...rows.map((row) => [row.provider, row.tenant, row.id, row.from, '<->', row.to, row.state])];
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((cell) => cell[column]!.length)));
  return cells.map((cell) => cell.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd());
}

async function deliver(app: RunningApp, step: ScenarioStep): Promise<{ ok: boolean; status: number; detail: string }> {
  const id = deliveryId(step);
  // Wait for the handler's line only where a handler must run; the app prints it before answering.
  const line = step.handled ? app.waitForLine(id, 15_000) : Promise.resolve(undefined);
  const answer = await sendDelivery(app.url, step.delivery);
  const handlerLine = await line;
  const statusOk = answer.status === step.expectedStatus;
  const handlerOk = !step.handled || handlerLine !== undefined;
  const detail = handlerLine
    ? handlerLine.slice(handlerLine.indexOf(id) + id.length).trim()
    : step.note === 'duplicate'
      ? `duplicate: answered ${answer.body}, no handler ran`
      : step.note === 'forged'
        ? `forged signature refused, no handler ran`
        : step.note === 'Cust2 signed by Cust1'
          ? `signed with another tenant's secret: refused (${/"code":"(\w+)"/.exec(answer.body)?.[1]}), no handler ran`
          : `no handler ran (${answer.body})`;
  return { ok: statusOk && handlerOk, status: answer.status, detail: handlerOk ? detail : `expected a handler to run; ${detail}` };
}
