import { config, listeningLine } from '@crmhooks/example-links';
import { createApp } from './app.js';

const { port } = config();
const server = createApp().app.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  console.log(listeningLine('koa', `http://127.0.0.1:${actualPort}`));
});
