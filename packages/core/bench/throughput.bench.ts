/** node:http: server CPU per request through crmhooks and @octokit/webhooks against a hand-written endpoint. */
import { fileURLToPath } from 'node:url';
import { compare, printTable } from '../../../bench/support/http-bench.js';

const server = fileURLToPath(new URL('./http-server.js', import.meta.url));
printTable([await compare('node:http', server, ['superoffice', 'highlevel'], { peers: ['octokit'] })]);
