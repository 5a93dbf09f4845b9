import { createServer } from 'node:http';
import { expect, test } from 'vitest';
import { expectScenario, exampleSettings } from '../../../test/support/example-scenario.js';
import { listen } from '../../../test/support/http.js';
import { createApp } from '../src/app.js';

test('the Koa example answers the demo scenario and keeps its link index', async () => {
  const { app, links } = createApp(exampleSettings);
  const server = await listen(createServer(app.callback()));
  try {
    await expectScenario(server.url);
    expect(links.size).toBe(2);
  } finally {
    await server.close();
  }
});
