/**
 * The Web handler on every runtime CI runs: the built @crmhooks/core, bundled with the app and
 * the cases, is run by Node 20, 22 and 24, Bun and Deno, and served by workerd through
 * Miniflare; each must answer every case alike and dispatch each genuine delivery once.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { conformanceCases, type ConformanceCases } from './cases.js';

const here = dirname(fileURLToPath(import.meta.url));
const resolve = createRequire(import.meta.url).resolve;
const packageDir = (name: string) => dirname(resolve(`${name}/package.json`));

/** Runtimes that run the cases in their own process: the command, before the script's path. */
const RUNTIMES: Record<string, string[]> = {
  'Node 20': [process.execPath],
  'Node 22': [join(packageDir('node22'), 'bin/node')],
  'Node 24': [join(packageDir('node24'), 'bin/node')],
  Bun: [join(packageDir('@oven/bun-linux-x64'), 'bin/bun'), 'run'],
  // No permissions: the core needs neither files, network nor environment.
  Deno: [join(here, 'node_modules/.bin/deno'), 'run', '--no-prompt'],
};

let sent: ConformanceCases;
let out: string;

beforeAll(async () => {
  sent = conformanceCases();
  out = await mkdtemp(join(tmpdir(), 'crmhooks-runtimes-'));
  const cases = join(out, 'cases.mjs');
  await writeFile(cases, `export const config = ${JSON.stringify(sent.config)};\nexport const cases = ${JSON.stringify(sent.cases)};\n`);
  // Runtime-neutral bundles: only node: built-ins stay imports, so each runtime resolves them itself.
  await build({
    entryPoints: [join(here, 'in-process.mjs'), join(here, 'worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['node:*'],
    outdir: out,
    logLevel: 'warning',
    plugins: [{ name: 'cases', setup: (on) => on.onResolve({ filter: /^\.\/cases\.mjs$/ }, () => ({ path: cases })) }],
  });
}, 60_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

type Answer = { name: string; status: number; code: string | null };

describe.each(Object.keys(RUNTIMES))('%s', (runtime) => {
  test('verifies and dispatches all three CRMs, refuses forged and stale deliveries, handles a copy once', async () => {
    const [command, ...args] = RUNTIMES[runtime]!;
    const { stdout } = await promisify(execFile)(command!, [...args, join(out, 'in-process.js')], { timeout: 60_000 });
    const { answers, dispatched } = JSON.parse(stdout) as { answers: Answer[]; dispatched: string[] };
    expect(answers).toEqual(sent.expected);
    expect(dispatched).toEqual(sent.dispatched);
  });
});

describe('workerd (Miniflare, nodejs_compat)', () => {
  test('verifies and dispatches all three CRMs over HTTP, refuses forged and stale deliveries, handles a copy once', async () => {
    const worker = new Miniflare({
      modules: true,
      scriptPath: join(out, 'worker.js'),
      modulesRoot: out,
      compatibilityDate: '2026-07-01',
      // The core uses node:crypto (HMAC, Ed25519, RSA): workerd provides it with this flag.
      compatibilityFlags: ['nodejs_compat'],
    });
    try {
      const answers: Answer[] = [];
      for (const one of sent.cases) {
        const response = await worker.dispatchFetch(one.url, { method: 'POST', headers: one.headers, body: one.body });
        const body = (await response.json()) as { error?: { code: string } };
        answers.push({ name: one.name, status: response.status, code: body.error?.code ?? null });
      }
      expect(answers).toEqual(sent.expected);
      expect(await (await worker.dispatchFetch('https://hooks.example.com/dispatched')).json()).toEqual(sent.dispatched);
    } finally {
      await worker.dispose();
    }
  });
});
