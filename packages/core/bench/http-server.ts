/** A bench server in its own process: `node http-server.js <bare|crmhooks|octokit> <superoffice|highlevel>`, on node:http. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createNodeHandler } from '@crmhooks/core/node';
import { announce } from '../../../bench/support/bench-server.js';
import { verifyByHand } from '../../../bench/support/bare-verify.js';
import { benchReceiver, handleByHand } from '../../../bench/support/kit-receiver.js';
import { octokitMiddleware } from '../../../bench/support/octokit.js';

const [variant, provider] = process.argv.slice(2);

/** What a careful user writes with node:http alone: read the body, verify, parse, answer. */
function handWritten(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const payload = verifyByHand(provider!, request.headers, Buffer.concat(chunks));
    response.writeHead(payload === undefined ? 401 : 200, { 'content-type': 'application/json' });
    if (payload !== undefined) handleByHand(payload);
    response.end(payload === undefined ? '{"error":"invalid signature"}' : '{"ok":true}');
  });
}

const listener = variant === 'crmhooks' ? createNodeHandler(benchReceiver()) : variant === 'octokit' ? octokitMiddleware() : handWritten;
announce(createServer(listener));
process.on('SIGINT', () => process.exit(0));
