import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import pg from 'pg';
import type { CrmWebhooks } from '@crmhooks/core';
import { createJournal, JOURNAL_STATES, postgres, type Journal, type JournalEvent, type JournalFilter, type JournalState } from '@crmhooks/journal';
import { createLinkMirror } from '@crmhooks/links';
import { CliError } from './cli-error.js';

/** Where the program writes (see program.ts). */
interface Output {
  out(line: string): void;
  err(line: string): void;
}

interface DatabaseOptions {
  databaseUrl?: string;
  schema: string;
  tablePrefix: string;
}

interface FilterOptions {
  provider?: string;
  tenant?: string;
  event?: string;
  state?: JournalState[];
  since?: Date;
  until?: Date;
  deliveryId?: string;
  recordId?: string;
}

/** `crmhooks journal ...`: read, replay and prune the delivery journal (`@crmhooks/journal`) on Postgres. */
export function journalCommand(output: Output): Command {
  const journal = new Command('journal').description('find, replay and prune the deliveries kept by @crmhooks/journal on Postgres');

  const withDatabase = (command: Command) =>
    command
      .option('--database-url <url>', 'Postgres the journal is on (default: $DATABASE_URL)')
      .option('--schema <name>', 'schema of the journal tables', 'public')
      .option('--table-prefix <prefix>', 'prefix of the journal tables', 'crmhooks_journal_');
  const withFilters = (command: Command) =>
    withDatabase(command)
      .option('--provider <name>', 'only this CRM: superoffice, highlevel, hubspot')
      .option('--tenant <id>', "only this customer's events (SuperOffice ContextIdentifier, HighLevel locationId, HubSpot portalId)")
      .option('--event <name>', 'only this event, e.g. superoffice.relation.created')
      .addOption(new Option('--state <state...>', 'only events in these states').choices(JOURNAL_STATES))
      .option('--since <time>', 'received at or after (ISO time, or e.g. 2h, 3d ago)', parseTime)
      .option('--until <time>', 'received before (ISO time, or e.g. 30m ago)', parseTime)
      .option('--delivery-id <id>', 'only this delivery id')
      .option('--record-id <id>', 'only events linking or unlinking this record');

  withFilters(journal.command('summary'))
    .description('count the events by provider and state, or by tenant')
    .option('--by-tenant', 'one line per tenant, the busiest first, with its events by state')
    .action(async (options: DatabaseOptions & FilterOptions & { byTenant?: boolean }) =>
      withJournal(options, async (opened) => {
        if (options.byTenant) {
          const tenants = await opened.tenantSummary(filterOf(options));
          if (tenants.length === 0) output.out('No event matches.');
          for (const row of tenants) {
            const states = Object.entries(row.states).map(([state, count]) => `${state} ${count}`).join(', ');
            output.out(`${row.provider.padEnd(12)} ${(row.tenant ?? '(none)').padEnd(20)} ${String(row.total).padStart(7)}  ${states}`);
          }
          return;
        }
        const rows = await opened.summary(filterOf(options));
        if (rows.length === 0) output.out('The journal is empty.');
        for (const row of rows) output.out(`${row.provider.padEnd(12)} ${row.state.padEnd(9)} ${row.count}`);
      }),
    );

  withFilters(journal.command('list'))
    .description('the newest events matching the filters')
    .option('--limit <n>', 'at most this many (1 to 1000)', parseLimit, 50)
    .option('--json', 'one JSON object per line')
    .action(async (options: DatabaseOptions & FilterOptions & { limit: number; json?: boolean }) =>
      withJournal(options, async (opened) => {
        const events = await opened.list(filterOf(options), { limit: options.limit });
        for (const event of events) output.out(options.json ? JSON.stringify(event) : describeEvent(event));
        if (events.length === 0 && !options.json) output.out('No event matches.');
      }),
    );

  withDatabase(journal.command('show'))
    .description('one event: its delivery (signatures redacted), body and every attempt')
    .argument('<provider>', 'superoffice, highlevel or hubspot')
    .argument('<delivery-id>', 'the delivery id, as `list` shows it')
    .action(async (provider: string, deliveryId: string, options: DatabaseOptions) =>
      withJournal(options, async (opened) => {
        const entry = await opened.show(provider, deliveryId);
        if (entry === undefined) throw new CliError(`The journal has no ${provider} delivery ${deliveryId}.`);
        output.out(describeEvent(entry.event));
        output.out(`${entry.delivery.method ?? 'POST'} ${entry.delivery.url ?? '(no URL kept)'}`);
        for (const [name, value] of Object.entries(entry.delivery.headers)) output.out(`${name}: ${value}`);
        output.out(entry.delivery.body === null ? '(body not kept)' : prettyJson(entry.delivery.body));
        for (const attempt of entry.attempts) {
          const answer = attempt.status === null ? '' : ` answered ${attempt.status}`;
          const error = attempt.code === null ? '' : ` ${attempt.code}: ${attempt.message}`;
          output.out(`${attempt.at.toISOString()} ${attempt.replay ? 'replay ' : ''}${attempt.result}${answer} in ${attempt.durationMs.toFixed(1)} ms${error}`);
        }
      }),
    );

  withFilters(journal.command('replay'))
    .description('run the matching events again through your receiver, verified with today\'s secrets')
    .requiredOption('--receiver <module>', 'a JavaScript module exporting your receiver (createWebhooks(...)) as `webhooks` or default; it is imported, so it must not start a server')
    .option('--dry-run', 'list what would run, run nothing')
    .action(async (options: DatabaseOptions & FilterOptions & { receiver: string; dryRun?: boolean }) =>
      withJournal(options, async (opened) => {
        const webhooks = await loadReceiver(options.receiver);
        const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'replaying [{bar}] {value}/{total} events' }, cliProgress.Presets.legacy) : undefined;
        let started = false;
        const report = await opened.replay(webhooks, filterOf(options), {
          dryRun: options.dryRun ?? false,
          onProgress: (done, total) => {
            if (!started) bar?.start(total, 0);
            started = true;
            bar?.update(done);
          },
        });
        bar?.stop();
        const verb = options.dryRun ? 'would replay' : 'replayed';
        output.out(`${report.matched} events matched; ${verb} ${options.dryRun ? report.matched - report.skipped.length : report.handled}${options.dryRun ? '' : `, ${report.failed} failed again`}, ${report.skipped.length} skipped.`);
        for (const event of report.wouldRun ?? []) output.out(`would replay ${event.provider} ${event.deliveryId} ${event.name}`);
        for (const skipped of report.skipped) output.out(`skipped ${skipped.provider} ${skipped.deliveryId}: ${skipped.reason}`);
        if (report.failed > 0) throw new CliError(`${report.failed} replayed events failed again; \`crmhooks journal list --state failed\` lists them.`, 1);
      }),
    );

  withDatabase(journal.command('prune'))
    .description("drop the days that ended before the retention began (whole days), or delete one customer's older deliveries in small batches")
    .option('--older-than-days <days>', 'retention in days', parseDays, 30)
    .option('--tenant <id>', "only this customer's deliveries")
    .action(async (options: DatabaseOptions & { olderThanDays: number; tenant?: string }) =>
      withJournal(options, async (opened) => {
        const deleted = await opened.prune({ olderThan: new Date(Date.now() - options.olderThanDays * 86_400_000), ...(options.tenant !== undefined && { tenant: options.tenant }) });
        const days = `${options.olderThanDays} day${options.olderThanDays === 1 ? '' : 's'}`;
        output.out(
          options.tenant === undefined
            ? `Dropped ${deleted} event${deleted === 1 ? '' : 's'}: every day that ended more than ${days} ago.`
            : `Deleted ${deleted} events of tenant ${options.tenant} received more than ${days} ago.`,
        );
      }),
    );

  withDatabase(journal.command('forget'))
    .description("delete everything kept of one customer: its deliveries, events and attempts, and its rows of the link mirror")
    .requiredOption('--provider <name>', 'the CRM: superoffice, highlevel, hubspot')
    .requiredOption('--tenant <id>', 'the customer (SuperOffice ContextIdentifier, HighLevel locationId, HubSpot portalId)')
    .option('--links-prefix <prefix>', 'prefix of the link mirror tables on the same database', 'crmhooks_')
    .option('--no-links', 'leave the link mirror alone')
    .option('--yes', 'delete; without it, only count what would be deleted')
    .action(async (options: DatabaseOptions & { provider: string; tenant: string; linksPrefix: string; links: boolean; yes?: boolean }) =>
      withJournal(options, async (opened, pool) => {
        const target = { provider: options.provider, tenant: options.tenant };
        if (!options.yes) {
          const events = (await opened.summary(target)).reduce((sum, row) => sum + row.count, 0);
          output.out(`Tenant ${options.tenant} of ${options.provider} has ${events} events in the journal. Nothing was deleted: pass --yes to delete them${options.links ? ' and its links' : ''}.`);
          return;
        }
        const journalRows = await opened.forget(target);
        output.out(`Deleted ${journalRows.events} events, ${journalRows.attempts} attempts and ${journalRows.deliveries} deliveries of tenant ${options.tenant}.`);
        if (!options.links) return;
        const linksTable = `${options.schema}.${options.linksPrefix}links`;
        const exists = await pool.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [linksTable]);
        if (exists.rows[0]?.found == null) {
          output.out(`No link mirror tables (${linksTable}) on this database; nothing more to delete.`);
          return;
        }
        const mirror = createLinkMirror({ database: postgres(pool), schema: options.schema, tablePrefix: options.linksPrefix, logger: false });
        const linkRows = await mirror.forget(target);
        output.out(`Deleted ${linkRows.links} links and ${linkRows.definitions} link definitions of tenant ${options.tenant}.`);
      }),
    );

  withDatabase(journal.command('rebuild-links'))
    .description('empty the link mirror (@crmhooks/links) on the same database and rebuild it from the journal')
    .requiredOption('--receiver <module>', 'a JavaScript module exporting your receiver: its providers verify the stored deliveries; it is imported, so it must not start a server')
    .option('--links-prefix <prefix>', 'prefix of the link mirror tables', 'crmhooks_')
    .action(async (options: DatabaseOptions & { receiver: string; linksPrefix: string }) =>
      withJournal(options, async (opened, pool) => {
        const webhooks = await loadReceiver(options.receiver);
        const mirror = createLinkMirror({ database: postgres(pool), schema: options.schema, tablePrefix: options.linksPrefix });
        const result = await mirror.rebuild(opened.deliveries(), webhooks.providers);
        output.out(`Rebuilt the link mirror from ${result.applied} events${result.unverified > 0 ? `; ${result.unverified} deliveries no longer verify and were left out` : ''}.`);
      }),
    );

  return journal;
}

/** Opens the journal on the database, runs `work`, and closes the pool whatever happens. */
async function withJournal(options: DatabaseOptions, work: (journal: Journal, pool: pg.Pool) => Promise<void>): Promise<void> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new CliError('No database: pass --database-url postgres://... or set DATABASE_URL.');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // reported by the query that meets it
  const journal = createJournal({ database: postgres(pool), schema: options.schema, tablePrefix: options.tablePrefix, pruneEveryMs: false, logger: false });
  try {
    await journal.ready().catch((error: unknown) => {
      throw new CliError(`Could not open the journal: ${(error as Error).message}`);
    });
    await work(journal, pool);
  } finally {
    await journal.close();
    await pool.end();
  }
}

/** The user's receiver, from a module exporting it as `webhooks` or default. */
async function loadReceiver(path: string): Promise<CrmWebhooks<object>> {
  let loaded: { webhooks?: unknown; default?: unknown };
  try {
    loaded = (await import(pathToFileURL(resolve(path)).href)) as typeof loaded;
  } catch (error) {
    throw new CliError(`--receiver ${path} could not be loaded: ${(error as Error).message}`);
  }
  const webhooks = (loaded.webhooks ?? loaded.default) as Partial<CrmWebhooks<object>> | undefined;
  // Duck-typed: the module may load its own copy of @crmhooks/core.
  if (typeof webhooks?.replay !== 'function' || !Array.isArray(webhooks.providers)) {
    throw new CliError(`--receiver ${path} exports no receiver: export the result of createWebhooks(...) as \`webhooks\` or as default.`);
  }
  return webhooks as CrmWebhooks<object>;
}

function filterOf(options: FilterOptions): JournalFilter {
  return {
    ...(options.provider !== undefined && { provider: options.provider }),
    ...(options.tenant !== undefined && { tenant: options.tenant }),
    ...(options.event !== undefined && { event: options.event }),
    ...(options.state !== undefined && { state: options.state }),
    ...(options.since !== undefined && { since: options.since }),
    ...(options.until !== undefined && { until: options.until }),
    ...(options.deliveryId !== undefined && { deliveryId: options.deliveryId }),
    ...(options.recordId !== undefined && { recordId: options.recordId }),
  };
}

function describeEvent(event: JournalEvent): string {
  const answer = event.lastStatus === null ? '' : ` last answered ${event.lastStatus}`;
  const error = event.lastCode === null ? '' : ` (${event.lastCode})`;
  const tenant = event.tenant === null ? '' : ` tenant ${event.tenant}`;
  return `${event.receivedAt.toISOString()} ${event.provider} ${event.deliveryId} ${event.name} ${event.state}, ${event.attempts} attempts${answer}${error}${tenant}`;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseTime(value: string): Date {
  const ago = /^(\d+)([mhd])( ago)?$/.exec(value.trim());
  if (ago) return new Date(Date.now() - Number(ago[1]) * UNITS[ago[2]!]!);
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new InvalidArgumentError('expected an ISO time (2026-12-01T10:00:00Z) or an age such as 30m, 2h, 3d');
  return time;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return limit;
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!(days > 0)) throw new InvalidArgumentError('expected a positive number of days');
  return days;
}
