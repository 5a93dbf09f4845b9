/** Fastify: requests/s through crmhooks against a hand-written endpoint (Buffer body parser + createHmac + JSON.parse). */
import { fileURLToPath } from 'node:url';
import { compare, printTable } from '../../../bench/support/http-bench.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
printTable([await compare('Fastify 5', server, ['superoffice', 'highlevel'])]);
