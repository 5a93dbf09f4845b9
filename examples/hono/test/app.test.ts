import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { expectScenario, exampleSettings } from '../../../test/support/example-scenario.js';
import { createApp } from '../src/app.js';

test('the Hono example answers the demo scenario over real HTTP and keeps its link table', async () => {
  const { app, links } = createApp(exampleSettings);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await expectScenario(`http://127.0.0.1:${port}`);
    const get = await fetch(`http://127.0.0.1:${port}/webhooks/crm`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await links.close();
  }
});
