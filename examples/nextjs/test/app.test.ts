import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { expectScenario, exampleSettings } from '../../../test/support/example-scenario.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the Next.js route handler answers the demo scenario under `next dev`', { timeout: 240_000 }, async () => {
  const port = await freePort();
  const next = spawn(process.execPath, [fileURLToPath(import.meta.resolve('next/dist/bin/next', `file://${root}/`)), 'dev', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      SUPEROFFICE_WEBHOOK_SECRET: exampleSettings.superOfficeSecret,
      HIGHLEVEL_PUBLIC_KEY: exampleSettings.highLevelPublicKeys[0],
      HUBSPOT_CLIENT_SECRET: exampleSettings.hubSpotClientSecret,
      ATTIO_WEBHOOK_SECRET: exampleSettings.attioSecret,
      DATAVERSE_WEBHOOK_KEY: exampleSettings.dataverseKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  next.stdout.on('data', (chunk) => (output += chunk));
  next.stderr.on('data', (chunk) => (output += chunk));
  try {
    await expect.poll(() => output, { timeout: 150_000 }).toMatch(/Ready/);
    const url = `http://127.0.0.1:${port}`;
    await expectScenario(url);
    const get = await fetch(`${url}/webhooks/crm`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  } catch (error) {
    console.error(output);
    throw error;
  } finally {
    next.kill('SIGTERM');
  }
});
