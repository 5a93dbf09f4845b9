/**
 * The inspector in a real headless Chromium (Debian's, driven by playwright-core): list,
 * filter, open a delivery, replay it and see the new attempt, hostile bodies shown as text,
 * unauthorized and cross-site requests refused. Also makes the README's screenshot.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, hubspot, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { hubSpotAssociationSample, hubSpotDelivery, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createInspector } from '@crmhooks/inspector';
import { createJournal, pglite, type Journal } from '@crmhooks/journal';
import { createLinkMirror, type LinkMirror } from '@crmhooks/links';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const secret = 'inspector-secret';
const SESSION = 'session=inspector-test';
const HOSTILE = `<script>window.__xss = 1</script>"><img src=x onerror="window.__xss = 2">`;
const screenshot = fileURLToPath(new URL('../../../docs/inspector.png', import.meta.url));

function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium is not at ${CHROMIUM}; .ci/run installs Debian's chromium, and CI must not skip the browser tests.`);
  console.warn(`\n*** ${CHROMIUM} not found: SKIPPING the inspector's browser tests (apt-get install chromium) ***\n`);
  return false;
}

describe.runIf(chromiumAvailable())('the inspector in headless Chromium', () => {
  let db: PGlite;
  let journal: Journal;
  let mirror: LinkMirror;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let bug = true;
  const runs: string[] = [];

  beforeAll(async () => {
    db = new PGlite();
    const database = pglite(db);
    journal = createJournal({ database, pruneEveryMs: false });
    mirror = createLinkMirror({ database, logger: false });
    await Promise.all([journal.ready(), mirror.ready()]);
    const webhooks = createWebhooks({
      providers: [superoffice({ secret }), hubspot({ clientSecret: secret })],
      journal,
      store: journal.store,
      deadLetters: journal,
      logger: false,
    });
    mirror.attach(webhooks);
    webhooks.on('superoffice.relation.created', (event, { deliveryId, replay }) => {
      runs.push(`${deliveryId}${replay ? ' (replay)' : ''}`);
      if (bug && event.EventId === 'buggy-1') throw new Error('a bug in the handler');
    });
    const inspector = createInspector({
      journal,
      webhooks,
      mirror,
      authorize: (request) => request.headers.get('cookie')?.includes(SESSION) === true,
    });
    const receive = createNodeHandler(webhooks);
    server = createServer((request, response) => (request.url?.startsWith('/inspector') ? inspector.node(request, response) : void receive(request, response)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const send = async (delivery: { headers: Record<string, string>; body: string }, url = `${origin}/webhooks/crm`) =>
      (await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body })).status;
    const relation = (eventId: string, extra: object = {}) =>
      superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ...extra } });
    for (let index = 1; index <= 6; index += 1) expect(await send(relation(`fine-${index}`, { PrimaryKey: 100 + index }))).toBe(200);
    expect(await send(relation('buggy-1', { PrimaryKey: 200 }))).toBe(500);
    expect(await send(relation('hostile-1', { PrimaryKey: 300, WebhookName: HOSTILE }))).toBe(200);
    const hookUrl = `${origin}/webhooks/crm`;
    expect(await send(hubSpotDelivery({ secret, url: hookUrl, events: [hubSpotAssociationSample(), hubSpotAssociationSample({ eventId: 2, toObjectId: 7702 })] }), hookUrl)).toBe(200);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root in a sandbox, on a machine without network: no sandbox, no GPU, nothing fetched in the background.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'session', value: 'inspector-test', url: origin }]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await journal?.close();
    await mirror?.close();
    await db?.close();
  });

  test('lists deliveries newest first, with the last day\'s counts, and asks for nothing outside itself', async () => {
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => void requested.push(request.url()));
    const response = await page.goto(`${origin}/inspector/`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'none'");
    const rows = page.locator('table.deliveries tbody tr');
    expect(await rows.count()).toBe(10); // 8 SuperOffice deliveries and a HubSpot batch of 2
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('hubspot'); // the newest
    expect(await page.locator('table.failures tbody tr').count()).toBe(1);
    expect(await page.locator('table.summary').textContent()).toMatch(/superoffice\s*failed\s*1/);
    expect(await page.locator('svg rect').count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(requested.every((url) => url.startsWith(`${origin}/inspector`))).toBe(true);
    await page.close();
  });

  test('filters by state and provider, and finds a delivery by its id or a record id', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/inspector/`);
    await page.selectOption('select[name=state]', 'failed');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/state=failed/);
    expect(await page.locator('table.deliveries tbody tr td a').allTextContents()).toEqual(['buggy-1']);
    await page.goto(`${origin}/inspector/`);
    await page.selectOption('select[name=provider]', 'hubspot');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/provider=hubspot/);
    expect(await page.locator('table.deliveries tbody tr').count()).toBe(2);
    await page.goto(`${origin}/inspector/`);
    await page.fill('input[name=q]', 'fine-3');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=fine-3/);
    expect(await page.locator('table.deliveries tbody tr td a').allTextContents()).toEqual(['fine-3']);
    await page.fill('input[name=q]', '7702'); // a HubSpot company at one end of a link
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=7702/);
    expect(await page.locator('table.deliveries tbody tr').count()).toBe(1);
    await page.close();
  });

  test('opens a failed delivery, replays it after the fix, and shows the new attempt', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/inspector/?state=failed`);
    await page.click('table.deliveries a:text("buggy-1")');
    await page.waitForURL(/\/delivery\/superoffice\/buggy-1$/);
    expect(await page.locator('table.attempts tbody tr').count()).toBe(1);
    expect(await page.locator('table.attempts').textContent()).toMatch(/failed\s*500\s*handler_failed.*a bug in the handler/);
    expect(await page.locator('pre.headers').textContent()).toContain('x-superoffice-signature: [redacted]');
    expect(await page.locator('table.links').textContent()).toMatch(/200: 1 <-> 2/); // the record's links, from the mirror
    expect(await page.locator('table.events tbody tr').textContent()).toMatch(/superoffice\.relation\.created\s*buggy-1\s*association\.created \(record\) contact#1 → contact#2/);
    bug = false;
    await page.click('button.replay');
    await page.waitForURL(/replayed=/);
    expect(await page.locator('p.replayed').textContent()).toMatch(/^Replayed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: handled\.$/);
    // The notice is the journal's attempt, named by reference: a link cannot make the page say anything else.
    expect(page.url()).toMatch(/\?replayed=\d+$/);
    await page.goto(`${origin}/inspector/delivery/superoffice/buggy-1?replayed=Your+account+is+locked`);
    expect(await page.locator('p.replayed').count()).toBe(0);
    await page.goto(`${origin}/inspector/delivery/superoffice/buggy-1?replayed=1`);
    expect(await page.locator('p.replayed').count()).toBe(0);
    // A skipped replay is named by a fixed reason, the text the page's own.
    await page.goto(`${origin}/inspector/delivery/superoffice/buggy-1?skipped=in_progress`);
    expect(await page.locator('p.replayed').textContent()).toMatch(/^Not replayed: it is being handled right now/);
    await page.goto(`${origin}/inspector/delivery/superoffice/buggy-1?skipped=You+were+hacked`);
    expect(await page.locator('p.replayed').count()).toBe(0);
    await page.goBack();
    await page.goBack();
    await page.goBack();
    await page.goBack();
    const attempts = page.locator('table.attempts tbody tr');
    expect(await attempts.count()).toBe(2);
    expect(await attempts.nth(1).textContent()).toMatch(/handled[\s\S]*replay/);
    expect(await page.locator('table.facts').textContent()).toMatch(/state\s*handled/);
    expect(runs.filter((run) => run.startsWith('buggy-1'))).toEqual(['buggy-1', 'buggy-1 (replay)']);
    await page.reload(); // post/redirect/get: a reload shows the page, it does not replay again
    expect(await page.locator('p.replayed').textContent()).toMatch(/^Replayed at .* UTC: handled\.$/);
    expect(runs.filter((run) => run.startsWith('buggy-1'))).toHaveLength(2);
    await page.close();
  });

  test('a HubSpot batch shows both of its events, native and normalized', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/inspector/?provider=hubspot`);
    await page.locator('table.deliveries a').first().click();
    await page.waitForURL(/\/delivery\/hubspot\//);
    const events = page.locator('table.events');
    expect(await events.locator('tbody tr').count()).toBe(2);
    expect(await events.locator('tr.current').count()).toBe(1);
    expect(await events.textContent()).toMatch(/association\.created \(record\) contact#51 → company#7701/);
    expect(await events.textContent()).toMatch(/association\.created \(record\) contact#51 → company#7702/);
    await page.close();
  });

  test('a signed body holding <script> and an onerror attribute is shown as text, and runs nothing', async () => {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    await page.goto(`${origin}/inspector/delivery/superoffice/hostile-1`);
    expect(await page.locator('pre.body').textContent()).toContain(HOSTILE.replaceAll('"', '\\"'));
    expect(await page.locator('pre.body script, pre.body img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  });

  test('refuses requests it cannot authorize (a styled page), and replays from anywhere but itself', async () => {
    const stranger = await browser.newContext();
    const page = await stranger.newPage();
    expect((await page.goto(`${origin}/inspector/`))!.status()).toBe(403);
    expect(await page.locator('body').textContent()).not.toContain('fine-1');
    // The stylesheet holds no data: served to the stranger too, the refusal is styled like every page.
    const style = await page.goto(`${origin}/inspector/inspector.css`);
    expect([style!.status(), style!.headers()['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    await stranger.close();

    const cookie = { cookie: SESSION, 'content-type': 'application/x-www-form-urlencoded' };
    const replayUrl = `${origin}/inspector/delivery/superoffice/fine-1/replay`;
    const crossSite = await fetch(replayUrl, { method: 'POST', headers: { ...cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: 'token=x', redirect: 'manual' });
    const noToken = await fetch(replayUrl, { method: 'POST', headers: cookie, body: '', redirect: 'manual' });
    const getReplay = await fetch(replayUrl, { headers: cookie, redirect: 'manual' });
    expect([crossSite.status, noToken.status, getReplay.status]).toEqual([403, 403, 405]);
    expect(runs.filter((run) => run === 'fine-1 (replay)')).toEqual([]);
  });

  test('a signed id holding a right-to-left override or an invisible character is shown as it was signed, spelled out', async () => {
    const tricky = 'rtl-\u202Egnp.exe-id\u200B';
    const delivery = superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: tricky, PrimaryKey: 500 } });
    // HTTP headers carry no such characters: the id travels in the signed body only.
    const { 'x-superoffice-eventid': _unsent, ...headers } = delivery.headers;
    expect((await fetch(`${origin}/webhooks/crm`, { method: 'POST', headers, body: delivery.body })).status).toBe(200);
    const page = await context.newPage();
    await page.goto(`${origin}/inspector/?q=${encodeURIComponent(tricky)}`);
    expect(await page.locator('table.deliveries tbody tr td a').allTextContents()).toEqual(['rtl-\\u{202E}gnp.exe-id\\u{200B}']);
    await page.locator('table.deliveries tbody tr td a').click();
    expect(await page.locator('pre.body').textContent()).toContain('"EventId": "rtl-\\u{202E}gnp.exe-id\\u{200B}"');
    expect(await page.locator('body').textContent()).not.toContain('\u202E');
    // Times say their zone; the chart says what its scale is.
    expect(await page.locator('table.facts time').first().textContent()).toMatch(/ UTC$/);
    await page.goto(`${origin}/inspector/`);
    expect(await page.locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['18 h ago', '12 h ago', '6 h ago', expect.stringMatching(/^tallest bar: \d+ events in one hour$/)]));
    await page.close();
  });

  test("shows each event's tenant, counts the busiest tenants of the day, and filters by one", async () => {
    const other = (eventId: string) =>
      superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId, ContextIdentifier: 'Cust2', PrimaryKey: 400 } });
    for (const delivery of [other('cust2-1'), other('cust2-2')]) {
      expect((await fetch(`${origin}/webhooks/crm`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status).toBe(200);
    }
    const page = await context.newPage();
    await page.goto(`${origin}/inspector/`);
    const tenants = await page.locator('table.tenants tbody tr').allInnerTexts();
    // provider, tenant, events (the failed column depends on whether the replay test ran first)
    const sampleTenant = (await journal.summary({ tenant: 'Cust26759' })).reduce((sum, row) => sum + row.count, 0);
    expect(tenants.map((row) => row.split('\t').map((cell) => cell.trim()).slice(0, 3))).toEqual([
      ['superoffice', 'Cust26759', String(sampleTenant)],
      ['hubspot', String(hubSpotAssociationSample().portalId), '2'],
      ['superoffice', 'Cust2', '2'],
    ]);
    await page.click('table.tenants a:text-is("Cust2")');
    await page.waitForURL(/tenant=Cust2/);
    expect(await page.locator('table.deliveries tbody tr td a').allTextContents()).toEqual(['cust2-2', 'cust2-1']);
    expect(await page.locator('table.deliveries tbody tr td:nth-child(3)').allTextContents()).toEqual(['Cust2', 'Cust2']);
    await page.click('table.deliveries a:text-is("cust2-1")');
    expect(await page.locator('table.facts').textContent()).toMatch(/tenant\s*Cust2/);
    await page.close();
  });

  test('refuses to start without authorize; localOnly lets loopback clients in through node:http, and nothing it cannot place', async () => {
    expect(() => createInspector({ journal })).toThrow(/pass authorize\(request\).*or localOnly: true/);
    const local = createInspector({ journal, localOnly: true });
    const plain = createServer(local.node);
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const answer = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/inspector/`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('fine-1');
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
    expect((await local.fetch(new Request('http://127.0.0.1/inspector/'))).status).toBe(403); // a Web request says no address
    expect((await local.fetch(new Request('http://127.0.0.1/inspector/'), { remoteAddress: '10.0.0.7' })).status).toBe(403);
  });
});
