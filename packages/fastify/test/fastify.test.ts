import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import { createWebhooks, superoffice, type DeliveryReceiver } from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';
import { crmhooks } from '@crmhooks/fastify';
import { describeAdapterSuite, newReceiver, relationCreated, ROUTE, secret } from '../../../test/support/adapter-suite.js';
import { post, type RunningServer } from '../../../test/support/http.js';

async function start(register: (app: ReturnType<typeof Fastify>) => void): Promise<RunningServer> {
  const app = Fastify();
  register(app);
  app.get('/health', async () => 'ok');
  app.post('/echo', async (request) => request.body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server: app.server, close: () => app.close() };
}

describeAdapterSuite('Fastify 5', {
  start: (receiver: DeliveryReceiver, options: AdapterOptions, _mount, route = ROUTE) =>
    start((app) => void app.register(crmhooks, { ...options, receiver, path: options.path ?? route })),
});

describe('Fastify 5: the plugin keeps to its route', () => {
  test("the app's own JSON parsing is untouched; the webhook route reads the raw body", async () => {
    const { webhooks, dispatched } = newReceiver();
    const server = await start((app) => void app.register(crmhooks, { receiver: webhooks }));
    try {
      expect((await post(server.url + ROUTE, relationCreated())).status).toBe(200);
      const echo = await fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(await echo.json()).toEqual({ a: 1 });
      expect(dispatched).toEqual(['superoffice.relation.created']);
    } finally {
      await server.close();
    }
  });

  test("the receiver's maxBodyBytes is the route's limit, above Fastify's 1 MiB default, and a bigger body is the kit's own 413", async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], maxBodyBytes: 2 * 1024 * 1024, logger: false });
    const server = await start((app) => void app.register(crmhooks, { receiver: webhooks }));
    try {
      const big = relationCreated();
      const padded = { ...big, body: big.body.replace('"Entity"', `"Pad":"${'x'.repeat(1.5 * 1024 * 1024)}","Entity"`) };
      const answer = await post(server.url + ROUTE, padded);
      expect(answer.status).toBe(401); // read whole and checked: the padding breaks the signature, not the limit
      const tooBig = { ...big, body: big.body.replace('"Entity"', `"Pad":"${'x'.repeat(3 * 1024 * 1024)}","Entity"`) };
      expect((await post(server.url + ROUTE, tooBig)).body.error?.code).toBe('payload_too_large');
    } finally {
      await server.close();
    }
  });
});
