import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attio, createWebhooks, dataverse, highlevel, hubspot, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { signSuperOffice, superOfficeSample } from '@crmhooks/core/testing';
import { listen, type RunningServer } from '../../../test/support/http.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const secret = 'cli-test-secret';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `crmhooks` executable, as a user would. */
function crmhooks(...args: string[]): Promise<Result> {
  return crmhooksWith({}, ...args);
}

/** The same, with environment variables set for the run. */
function crmhooksWith(env: Record<string, string>, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, SUPEROFFICE_WEBHOOK_SECRET: '', HUBSPOT_CLIENT_SECRET: '', ATTIO_WEBHOOK_SECRET: '', DATAVERSE_WEBHOOK_KEY: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// The root test script builds first; without a build this is skipped, never in CI.
describe.skipIf(!existsSync(bin) && !process.env.CI)('the crmhooks executable', () => {
  let server: RunningServer;
  let url: string;
  let keyDir: string;
  const dispatched: string[] = [];

  beforeAll(async () => {
    keyDir = join(await mkdtemp(join(tmpdir(), 'crmhooks-cli-')), 'keys');
    const keygen = await crmhooks('keygen', '--out', keyDir);
    expect(keygen.code).toBe(0);
    const webhooks = createWebhooks({
      providers: [
        superoffice({ secret }),
        highlevel({ publicKeys: await readFile(join(keyDir, 'public.pem'), 'utf8') }),
        hubspot({ clientSecret: 'cli-hubspot-secret' }),
        attio({ secret: 'cli-attio-secret' }),
        dataverse({ key: 'cli-dataverse-key' }),
      ],
      logger: false,
    });
    webhooks.onAny((event) => void dispatched.push(event.name));
    server = await listen(createServer(createNodeHandler(webhooks)));
    url = `${server.url}/webhooks/crm`;
  });
  afterAll(() => server.close());

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await crmhooks('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test("each provider's secret comes from its own environment variable when --secret is not given", async () => {
    const hubSpot = await crmhooksWith({ HUBSPOT_CLIENT_SECRET: 'cli-hubspot-secret' }, 'send', 'hubspot', 'contact.associationChange', '--url', url);
    expect([hubSpot.code, hubSpot.stdout]).toEqual([0, `POST ${url} -> 200 {"ok":true}\n`]);
    const superOffice = await crmhooksWith({ SUPEROFFICE_WEBHOOK_SECRET: secret }, 'send', 'superoffice', 'relation.deleted', '--url', url);
    expect(superOffice.code).toBe(0);
    // The SuperOffice variable is not HubSpot's secret.
    const crossed = await crmhooksWith({ SUPEROFFICE_WEBHOOK_SECRET: 'cli-hubspot-secret' }, 'send', 'hubspot', 'contact.associationChange', '--url', url);
    expect([crossed.code, crossed.stderr]).toEqual([2, expect.stringMatching(/pass --secret \(or set HUBSPOT_CLIENT_SECRET\)/)]);
  });

  test('send signs a SuperOffice sample as SuperOffice does and prints the answer', async () => {
    const result = await crmhooks('send', 'superoffice', 'relation.created', '--url', url, '--secret', secret);
    expect(result).toEqual({ code: 0, stdout: `POST ${url} -> 200 {"ok":true}\n`, stderr: '' });
    expect(dispatched).toContain('superoffice.relation.created');
  });

  test('send signs HighLevel deliveries with a key from keygen', async () => {
    const result = await crmhooks('send', 'highlevel', 'RelationCreate', '--url', url, '--key', join(keyDir, 'private.pem'));
    expect(result.code).toBe(0);
    expect(dispatched).toContain('highlevel.RelationCreate');
  });

  test('send signs HubSpot batches with the client secret, over the URL', async () => {
    const result = await crmhooks('send', 'hubspot', 'deal.associationChange', '--url', url, '--secret', 'cli-hubspot-secret');
    expect(result).toEqual({ code: 0, stdout: `POST ${url} -> 200 {"ok":true}\n`, stderr: '' });
    expect(dispatched).toContain('hubspot.deal.associationChange');
  });

  test('send signs Attio deliveries with the webhook secret, and sends Dataverse ones with the registered key (both also from their variables)', async () => {
    const attioSent = await crmhooks('send', 'attio', 'list-entry.created', '--url', url, '--secret', 'cli-attio-secret');
    expect(attioSent).toEqual({ code: 0, stdout: `POST ${url} -> 200 {"ok":true}\n`, stderr: '' });
    const dataverseSent = await crmhooksWith({ DATAVERSE_WEBHOOK_KEY: 'cli-dataverse-key' }, 'send', 'dataverse', 'Associate', '--url', url);
    expect([dataverseSent.code, dataverseSent.stdout]).toEqual([0, `POST ${url} -> 200 {"ok":true}\n`]);
    expect(dispatched).toEqual(expect.arrayContaining(['attio.list-entry.created', 'dataverse.Associate']));
    const wrongKey = await crmhooks('send', 'dataverse', 'Disassociate', '--url', url, '--secret', 'guessed');
    expect(wrongKey.code).toBe(1);
  });

  test('--repeat sends the same delivery again: handled once, then duplicates', async () => {
    const result = await crmhooks('send', 'superoffice', 'relation.deleted', '--url', url, '--secret', secret, '--repeat', '3');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `[1/3] POST ${url} -> 200 {"ok":true}`,
      `[2/3] POST ${url} -> 200 {"ok":true,"duplicate":true}`,
      `[3/3] POST ${url} -> 200 {"ok":true,"duplicate":true}`,
    ]);
  });

  test('a non-2xx answer exits 1 and says so', async () => {
    const result = await crmhooks('send', 'superoffice', 'relation.created', '--url', url, '--secret', 'wrong-secret');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/-> 401 \{"error":\{"code":"signature_invalid"/);
    expect(result.stderr).toBe('crmhooks: 1 of 1 deliveries were not answered 2xx.\n');
  });

  test('--data sends an exact body; the secret can come from SUPEROFFICE_WEBHOOK_SECRET', async () => {
    const file = join(keyDir, '..', 'custom.json');
    await writeFile(file, JSON.stringify({ ...superOfficeSample('relation.created'), Event: 'y_equipment.created', EventId: 'custom-1' }));
    const result = await new Promise<Result>((resolve) =>
      execFile(process.execPath, [bin, 'send', 'superoffice', 'y_equipment.created', '--url', url, '--data', file], { env: { ...process.env, SUPEROFFICE_WEBHOOK_SECRET: secret } }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(result.code).toBe(0);
    expect(dispatched).toContain('superoffice.y_equipment.created');
  });

  test('sign prints the headers and a curl command with the exact signed body', async () => {
    const result = await crmhooks('sign', 'superoffice', 'relation.changed', '--secret', secret, '--url', url);
    expect(result.code).toBe(0);
    const signature = /x-superoffice-signature: (\S+)/.exec(result.stdout)?.[1];
    const body = /--data-binary '(.*)'\n$/s.exec(result.stdout)?.[1];
    expect(body && signature).toBeTruthy();
    expect(signSuperOffice(body!, secret)).toBe(signature);
    expect(result.stdout).toContain(`curl -sS -X POST '${url}'`);
  });

  test('bad arguments exit 2 with a message that says what to do', async () => {
    const cases: [string[], RegExp][] = [
      [['send', 'salesforce', 'x', '--url', url], /Unknown provider "salesforce". Use one of: superoffice, highlevel, hubspot/],
      [['sign', 'hubspot', 'contact.associationChange'], /client secret: pass --secret/],
      [['send', 'superoffice', 'relation.created'], /required option '--url <url>' not specified/],
      [['send', 'superoffice', 'relation.created', '--url', url], /signed with the webhook secret: pass --secret/],
      [['send', 'highlevel', 'RelationCreate', '--url', url], /pass --key FILE \(make one with `crmhooks keygen`\)/],
      [['send', 'superoffice', 'relation.gone', '--url', url, '--secret', 's'], /No sample payload .* pass its body with --data FILE/],
      [['send', 'superoffice', 'test', '--url', 'not a url', '--secret', 's'], /expected an http\(s\) URL/],
      [['send', 'superoffice', 'test', '--url', url, '--secret', 's', '--repeat', '0'], /expected a whole number from 1 to 1000/],
      [['send', 'highlevel', 'RelationCreate', '--url', url, '--key', '/nonexistent.pem'], /--key \/nonexistent.pem: no such file/],
      [['keygen', '--out', '@KEYDIR'], /already holds a key pair/],
    ];
    for (const [args, message] of cases) {
      const result = await crmhooks(...args.map((arg) => (arg === '@KEYDIR' ? keyDir : arg)));
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  test('an unreachable URL exits 3', async () => {
    const closed = await listen(createServer());
    await closed.close();
    const result = await crmhooks('send', 'superoffice', 'relation.created', '--url', `${closed.url}/webhooks/crm`, '--secret', secret);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Could not reach .*ECONNREFUSED. Is the server running/);
  });

  test('--help documents every command', async () => {
    for (const command of [[], ['send'], ['sign'], ['keygen']]) {
      const result = await crmhooks(...command, '--help');
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/Usage: crmhooks/);
    }
    expect((await crmhooks('send', '--help')).stdout).toMatch(/--repeat <n>/);
  });

  test('keygen without --out prints a PEM key pair', async () => {
    const result = await crmhooks('keygen');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/-----BEGIN PRIVATE KEY-----[\s\S]*-----BEGIN PUBLIC KEY-----/);
  });
});
