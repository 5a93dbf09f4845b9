import { config, listeningLine } from '@crmhooks/example-links';
import { createApp } from './app.js';
import { startWorker } from './worker.js';

if (process.argv[2] === 'worker') {
  const worker = startWorker();
  console.log('[express] worker taking jobs from the crm-events queue');
  process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
} else {
  const { port } = config();
  const { app, links, close } = createApp();
  await links.ready();
  const server = app.listen(port, '127.0.0.1', () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    console.log(listeningLine('express', `http://127.0.0.1:${actualPort}`));
  });
  process.once('SIGTERM', () => server.close(() => void close().then(() => process.exit(0))));
}
