import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createJournal, postgres, type Journal } from '@crmhooks/journal';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const receiverModule = fileURLToPath(new URL('./fixtures/receiver-module.mjs', import.meta.url));
const listeningModule = fileURLToPath(new URL('./fixtures/listening-receiver-module.mjs', import.meta.url));
const secret = 'cli-journal-secret';
const relation = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });

// Runs the built executable against a real Postgres; the root test script builds first (never skipped in CI).
describe.runIf(postgresAvailable() && (existsSync(bin) || process.env.CI))('crmhooks journal, on a real Postgres', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let journal: Journal;
  let runsFile: string;
  const crmhooksWith = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, 'journal', ...args], { env: { ...process.env, DATABASE_URL: server.url, SECRET: secret, RUNS_FILE: runsFile, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const crmhooks = (...args: string[]) => crmhooksWith({}, ...args);

  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url });
    journal = createJournal({ database: postgres(pool), pruneEveryMs: false });
    runsFile = join(await mkdtemp(join(tmpdir(), 'crmhooks-cli-')), 'runs.txt');
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    webhooks.on('superoffice.relation.created', (_event, { deliveryId }) => {
      if (deliveryId.startsWith('bug-')) throw new Error('a bug in the handler');
    });
    for (const id of ['bug-1', 'bug-2', 'bug-3', 'fine-1', 'fine-2']) await webhooks.receive(relation(id));
  });
  afterAll(async () => {
    await journal?.close();
    await pool?.end();
    await server?.stop();
  });

  test('summary, list and show: what arrived and what became of it, no signature', async () => {
    const summary = await crmhooks('summary');
    expect(summary.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/))).toEqual([
      ['superoffice', 'failed', '3'],
      ['superoffice', 'handled', '2'],
    ]);
    const failed = await crmhooks('list', '--state', 'failed', '--since', '1h');
    expect(failed.stdout.trim().split('\n').map((line) => line.split(' ')[2]).sort()).toEqual(['bug-1', 'bug-2', 'bug-3']);
    expect(failed.stdout).toMatch(/superoffice\.relation\.created failed, 1 attempts last answered 500 \(handler_failed\)/);
    const shown = await crmhooks('show', 'superoffice', 'bug-2');
    expect(shown.stdout).toMatch(/x-superoffice-signature: \[redacted\]/);
    expect(shown.stdout).not.toContain(relation('bug-2').headers['x-superoffice-signature']);
    expect(shown.stdout).toMatch(/"EventId": "bug-2"/);
    expect(shown.stdout).toMatch(/failed answered 500 in [\d.]+ ms handler_failed: .*a bug in the handler/);
  });

  test('replay: a dry run runs nothing; then the failed ones run once more through the receiver module, with context.replay', async () => {
    const dry = await crmhooks('replay', '--state', 'failed', '--receiver', receiverModule, '--dry-run');
    expect([dry.code, dry.stdout.trim().split('\n')]).toEqual([
      0,
      ['3 events matched; would replay 3, 0 skipped.', ...['bug-1', 'bug-2', 'bug-3'].map((id) => `would replay superoffice ${id} superoffice.relation.created`)],
    ]);
    expect(existsSync(runsFile)).toBe(false);
    const replayed = await crmhooks('replay', '--state', 'failed', '--receiver', receiverModule);
    expect([replayed.code, replayed.stdout.trim()]).toEqual([0, '3 events matched; replayed 3, 0 failed again, 0 skipped.']);
    expect((await readFile(runsFile, 'utf8')).trim().split('\n').sort()).toEqual(['bug-1 true', 'bug-2 true', 'bug-3 true']);
    expect(await journal.summary()).toEqual([{ provider: 'superoffice', state: 'handled', count: 5 }]);
  });

  test('a receiver module that starts a server on a port the running receiver holds: exit 1, and what to change', async () => {
    const running: Server = createServer();
    await new Promise<void>((listening) => running.listen(0, '127.0.0.1', listening));
    try {
      const port = String((running.address() as AddressInfo).port);
      const replayed = await crmhooksWith({ PORT: port }, 'replay', '--state', 'failed', '--receiver', listeningModule, '--dry-run');
      expect(replayed.code).toBe(1);
      expect(replayed.stderr.trim()).toMatch(/^crmhooks: listen EADDRINUSE: .*The module given to --receiver started a server when it was imported.*export createWebhooks\(\.\.\.\) from a module that does not listen/);
    } finally {
      await new Promise((closed) => running.close(closed));
    }
  });

  test("tenants: summary --by-tenant, list --tenant, and forget deleting one customer's rows (counted first, deleted with --yes)", async () => {
    const other = (eventId: string) =>
      superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: 'Cust2', PrimaryKey: 77 } });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
    for (const id of ['other-1', 'other-2']) expect((await webhooks.receive(other(id))).status).toBe(200);
    const byTenant = await crmhooks('summary', '--by-tenant');
    expect(byTenant.stdout.split('\n').filter(Boolean).map((line) => line.trim().split(/\s+/).slice(0, 3))).toEqual([
      ['superoffice', 'Cust26759', '5'],
      ['superoffice', 'Cust2', '2'],
    ]);
    const listed = await crmhooks('list', '--tenant', 'Cust2');
    expect(listed.stdout.trim().split('\n').map((line) => line.split(' ')[2]).sort()).toEqual(['other-1', 'other-2']);
    expect(listed.stdout).toContain('tenant Cust2');
    const counted = await crmhooks('forget', '--provider', 'superoffice', '--tenant', 'Cust2');
    expect(counted.stdout.trim()).toBe('Tenant Cust2 of superoffice has 2 events in the journal. Nothing was deleted: pass --yes to delete them and its links.');
    const forgotten = await crmhooks('forget', '--provider', 'superoffice', '--tenant', 'Cust2', '--yes');
    expect([forgotten.code, forgotten.stdout.trim().split('\n')[0]]).toEqual([0, 'Deleted 2 events, 2 attempts and 2 deliveries of tenant Cust2.']);
    expect(await journal.summary({ tenant: 'Cust2' })).toEqual([]);
    expect((await journal.summary()).reduce((sum, row) => sum + row.count, 0)).toBe(5);
  });

  test('rebuild-links and prune; a missing database is an error that says what to pass', async () => {
    const rebuilt = await crmhooks('rebuild-links', '--receiver', receiverModule);
    expect([rebuilt.code, rebuilt.stdout.trim()]).toEqual([0, 'Rebuilt the link mirror from 5 events.']);
    // The five deliveries name one relation (the sample's): one row.
    expect((await pool.query('SELECT provider, link_id FROM crmhooks_links')).rows).toEqual([{ provider: 'superoffice', link_id: String(superOfficeSample('relation.created').PrimaryKey) }]);
    // One customer's rows go row by row; whole days go as days.
    const pruned = await crmhooks('prune', '--older-than-days', '0.000001', '--tenant', 'Cust26759');
    expect(pruned.stdout.trim()).toBe('Deleted 5 events of tenant Cust26759 received more than 0.000001 days ago.');
    expect(await journal.summary()).toEqual([]);
    const old = JSON.parse(relation('old-1').body) as object;
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    await journal.record({ provider: 'superoffice', receivedAt: threeDaysAgo, method: 'POST', url: undefined, headers: {}, body: Buffer.from(JSON.stringify(old)),
      events: [{ name: 'superoffice.relation.created', deliveryId: 'old-1', signedAt: threeDaysAgo, recordIds: [] }] });
    const dropped = await crmhooks('prune', '--older-than-days', '1');
    expect(dropped.stdout.trim()).toBe('Dropped 1 event: every day that ended more than 1 day ago.');
    expect(await journal.summary()).toEqual([]);
    const missing = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'journal', 'summary'], { env: { ...process.env, DATABASE_URL: '' } }, (error, _stdout, stderr) =>
        resolve({ code: Number((error as { code?: number } | null)?.code ?? 0), stderr }),
      ),
    );
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'crmhooks: No database: pass --database-url postgres://... or set DATABASE_URL.']);
  });
});
