import { createServer } from 'node:http';
import { test } from 'vitest';
import { expectScenario, exampleSettings } from '../../../test/support/example-scenario.js';
import { listen } from '../../../test/support/http.js';
import { createApp } from '../src/app.js';

test('the Koa example answers the demo scenario and keeps its link table', async () => {
  const { app, links } = createApp(exampleSettings);
  await links.ready();
  const server = await listen(createServer(app.callback()));
  try {
    await expectScenario(server.url);
  } finally {
    await server.close();
    await links.close();
  }
});
