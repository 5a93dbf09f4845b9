/**
 * The peer users would pick instead of crmhooks: `@octokit/webhooks` on the same server, fed
 * GitHub deliveries of a SuperOffice-sized body, signed as GitHub signs them, one handler.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNodeMiddleware, Webhooks } from '@octokit/webhooks';
import { superOfficeSample, type SignedDelivery } from '@crmhooks/core/testing';
import { ROUTE } from './bench-server.js';
import { handleByHand } from './kit-receiver.js';

const GITHUB_SECRET = 'bench-github-secret';

/** GitHub `issues` deliveries: the SuperOffice sample's fields with an `action`, each with its own delivery id. */
export function githubDeliveries(count: number): SignedDelivery[] {
  return Array.from({ length: count }, () => {
    const { Event: _event, ...fields } = superOfficeSample('relation.created');
    const body = JSON.stringify({ action: 'opened', ...fields, EventId: randomUUID() });
    const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
    return {
      headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature },
      body,
    };
  });
}

/** octokit's node middleware with one handler, as its README sets it up. */
export function octokitMiddleware(): (request: IncomingMessage, response: ServerResponse) => void {
  const webhooks = new Webhooks({ secret: GITHUB_SECRET });
  webhooks.on('issues.opened', ({ payload }) => handleByHand(payload));
  const middleware = createNodeMiddleware(webhooks, { path: ROUTE });
  return (request, response) => void middleware(request, response);
}
