/** NestJS 12: requests/s through CrmHooksModule against a plain controller verifying by hand, on Express and Fastify. */
import { fileURLToPath } from 'node:url';
import { compare, printTable } from '../../../bench/support/http-bench.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
printTable([
  await compare('NestJS 12 + Express', server, ['superoffice', 'highlevel'], { serverArgs: ['express'] }),
  await compare('NestJS 12 + Fastify', server, ['superoffice', 'highlevel'], { serverArgs: ['fastify'] }),
]);
