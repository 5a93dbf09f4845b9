/** Koa: requests/s through crmhooks against a hand-written endpoint (raw-body + createHmac + JSON.parse). */
import { fileURLToPath } from 'node:url';
import { compare, printTable } from '../../../bench/support/http-bench.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
printTable([await compare('Koa 3', server, ['superoffice', 'highlevel'])]);
