import { config, listeningLine } from '@crmhooks/example-links';
import { createApp } from './app.js';

const { port } = config();
const { app, links } = createApp();
await links.ready();
const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  console.log(listeningLine('koa', `http://127.0.0.1:${actualPort}`));
});
