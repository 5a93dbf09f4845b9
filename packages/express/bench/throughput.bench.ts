/** Express: server CPU per request through crmhooks and @octokit/webhooks against a hand-written endpoint (express.raw + createHmac + JSON.parse). */
import { fileURLToPath } from 'node:url';
import { compare, printTable } from '../../../bench/support/http-bench.js';

const server = fileURLToPath(new URL('./server.js', import.meta.url));
printTable([await compare('Express 5', server, ['superoffice', 'highlevel'], { peers: ['octokit'] })]);
