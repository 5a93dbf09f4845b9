import { serve } from '@hono/node-server';
import { config, listeningLine } from '@crmhooks/example-links';
import { createApp } from './app.js';

const { app, links } = createApp();
await links.ready();
serve({ fetch: app.fetch, port: config().port, hostname: '127.0.0.1' }, (info) => {
  console.log(listeningLine('hono', `http://127.0.0.1:${info.port}`));
});
