import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import type { DeliveryReceiver } from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';
import { crmhooks, keepRawBody } from '@crmhooks/express';
import { describeAdapterSuite, newReceiver, relationCreated, ROUTE } from '../../../test/support/adapter-suite.js';
import { listen, post, type RunningServer } from '../../../test/support/http.js';

type Express = typeof import('express');
const require = createRequire(import.meta.url);

// Each supported major, installed side by side through npm aliases.
const versions = { 'Express 4': require('express4') as Express, 'Express 5': require('express5') as Express };

for (const [name, express] of Object.entries(versions)) {
  const start = async (configure: (app: ReturnType<Express>) => void): Promise<RunningServer> => {
    const app = express();
    configure(app);
    app.get('/health', (_request, response) => void response.send('ok'));
    return listen(createServer(app));
  };

  describeAdapterSuite(name, {
    start: (receiver: DeliveryReceiver, options: AdapterOptions, mount, route = ROUTE) =>
      start((app) => (mount === 'route' ? app.use(route, crmhooks(receiver, options)) : app.use(crmhooks(receiver, options)))),
  });

  describe(`${name}: whatever body parsers the app already has`, () => {
    async function deliver(configure: (app: ReturnType<Express>, receiver: DeliveryReceiver) => void, path = ROUTE) {
      const { webhooks, dispatched } = newReceiver();
      const server = await start((app) => configure(app, webhooks));
      try {
        return { answer: await post(server.url + path, relationCreated()), dispatched };
      } finally {
        await server.close();
      }
    }

    test('express.json() mounted first without verify: 500 naming the fix, logged at error for each delivery, nothing dispatched', async () => {
      const logged: string[] = [];
      const logger = { error: (_fields: object, line: string) => void logged.push(line), warn: () => undefined };
      const { webhooks, dispatched } = newReceiver({}, logger);
      const server = await start((app) => {
        app.use(express.json());
        app.post(ROUTE, crmhooks(webhooks));
      });
      try {
        const first = await post(server.url + ROUTE, relationCreated());
        const second = await post(server.url + ROUTE, relationCreated('other'));
        expect([first.status, second.status]).toEqual([500, 500]);
        expect(first.body.error).toEqual({
          code: 'raw_body_missing',
          message: expect.stringContaining('mount the webhook route before app.use(express.json())'),
        });
        expect(first.body.error?.message).toContain("app.use(express.json({ verify: keepRawBody })), with keepRawBody from '@crmhooks/express'");
        expect(logged).toEqual([expect.stringContaining('raw request body'), expect.stringContaining('raw request body')]);
        expect(dispatched).toEqual([]);
      } finally {
        await server.close();
      }
    });

    test('express.json({ verify: keepRawBody }) first: verified on the kept bytes', async () => {
      const { answer, dispatched } = await deliver((app, webhooks) => {
        app.use(express.json({ verify: keepRawBody }));
        app.use(ROUTE, crmhooks(webhooks));
      });
      expect(answer.status).toBe(200);
      expect(dispatched).toEqual(['superoffice.relation.created']);
    });

    test('express.raw({ type: "application/json" }): the Buffer body is used', async () => {
      const { answer, dispatched } = await deliver((app, webhooks) => {
        app.post(ROUTE, express.raw({ type: 'application/json' }), crmhooks(webhooks));
      });
      expect([answer.status, dispatched]).toEqual([200, ['superoffice.relation.created']]);
    });

    test('express.text({ type: "application/json" }): the exact string is used', async () => {
      const { answer, dispatched } = await deliver((app, webhooks) => {
        app.use(express.text({ type: 'application/json' }));
        app.post(ROUTE, crmhooks(webhooks));
      });
      expect([answer.status, dispatched]).toEqual([200, ['superoffice.relation.created']]);
    });

    test('express.json() after the webhook route: the rest of the app parses JSON, crmhooks reads the raw body', async () => {
      const { webhooks, dispatched } = newReceiver();
      const server = await start((app) => {
        app.use(ROUTE, crmhooks(webhooks));
        app.use(express.json());
        app.post('/echo', (request, response) => void response.json(request.body));
      });
      try {
        expect((await post(server.url + ROUTE, relationCreated())).status).toBe(200);
        const echo = await fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
        expect(await echo.json()).toEqual({ a: 1 });
        expect(dispatched).toEqual(['superoffice.relation.created']);
      } finally {
        await server.close();
      }
    });

    test('express.json() registered for another content type leaves the stream for crmhooks', async () => {
      const { answer } = await deliver((app, webhooks) => {
        app.use(express.json({ type: 'application/vnd.other+json' }));
        app.post(ROUTE, crmhooks(webhooks));
      });
      expect(answer.status).toBe(200);
    });

    test('express.Router() and app.use(path, middleware) both work', async () => {
      const routed = await deliver((app, webhooks) => {
        const router = express.Router();
        router.post(ROUTE, crmhooks(webhooks));
        app.use('/hooks', router);
      }, `/hooks${ROUTE}`);
      expect(routed.answer.status).toBe(200);
      const mounted = await deliver((app, webhooks) => void app.use(ROUTE, crmhooks(webhooks)));
      expect(mounted.answer.status).toBe(200);
    });
  });
}
