/** A bench server in its own process: `node server.js <bare|crmhooks|octokit> <superoffice|highlevel> [express4|express5]`. */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { crmhooks } from '@crmhooks/express';
import { announce, ROUTE } from '../../../bench/support/bench-server.js';
import { verifyByHand } from '../../../bench/support/bare-verify.js';
import { benchReceiver, handleByHand } from '../../../bench/support/kit-receiver.js';
import { octokitMiddleware } from '../../../bench/support/octokit.js';

const [variant, provider, version = 'express5'] = process.argv.slice(2);
const express = createRequire(import.meta.url)(version) as typeof import('express');
const app = express();

if (variant === 'crmhooks') {
  app.post(ROUTE, crmhooks(benchReceiver()));
} else if (variant === 'octokit') {
  app.use(octokitMiddleware()); // as octokit's README mounts it on Express
} else {
  app.post(ROUTE, express.raw({ type: 'application/json', limit: '1mb' }), (request, response) => {
    const payload = verifyByHand(provider!, request.headers, request.body as Buffer);
    if (payload === undefined) {
      response.status(401).json({ error: 'invalid signature' });
      return;
    }
    handleByHand(payload);
    response.status(200).json({ ok: true });
  });
}
announce(createServer(app));
