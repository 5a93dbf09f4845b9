import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import koaBodyparser from 'koa-bodyparser';
import type { DeliveryReceiver } from '@crmhooks/core';
import type { AdapterOptions } from '@crmhooks/core/node';
import { crmhooks } from '@crmhooks/koa';
import { describeAdapterSuite, newReceiver, relationCreated, ROUTE } from '../../../test/support/adapter-suite.js';
import { listen, post, type RunningServer } from '../../../test/support/http.js';

type KoaClass = typeof import('koa');
type KoaApp = import('koa')<import('koa').DefaultState, import('koa').DefaultContext>;
const require = createRequire(import.meta.url);

// Each supported major, installed side by side through npm aliases.
const versions = { 'Koa 2': require('koa2') as KoaClass, 'Koa 3': require('koa3') as KoaClass };

for (const [name, Koa] of Object.entries(versions)) {
  const start = async (configure: (app: KoaApp, router: Router) => void): Promise<RunningServer> => {
    const app = new Koa();
    // Koa reports an aborted client's socket error through 'error' (and prints it by default).
    app.on('error', () => undefined);
    const router = new Router();
    configure(app, router);
    router.get('/health', (context) => void (context.body = 'ok'));
    app.use(router.routes());
    return listen(createServer(app.callback()));
  };

  describeAdapterSuite(name, {
    start: (receiver: DeliveryReceiver, options: AdapterOptions, mount, route = ROUTE) =>
      start((app, router) =>
        mount === 'route' ? router.all(route, crmhooks(receiver, options)) : app.use(crmhooks(receiver, options)),
      ),
  });

  describe(`${name}: whatever body parser the app already has`, () => {
    async function deliver(configure: (app: KoaApp, router: Router, receiver: DeliveryReceiver) => void) {
      const { webhooks, dispatched } = newReceiver();
      const server = await start((app, router) => configure(app, router, webhooks));
      try {
        return { answer: await post(server.url + ROUTE, relationCreated()), dispatched };
      } finally {
        await server.close();
      }
    }

    test('@koa/bodyparser mounted first: verified on ctx.request.rawBody', async () => {
      const { answer, dispatched } = await deliver((app, router, webhooks) => {
        app.use(bodyParser());
        router.post(ROUTE, crmhooks(webhooks));
      });
      expect([answer.status, dispatched]).toEqual([200, ['superoffice.relation.created']]);
    });

    test('koa-bodyparser mounted first: verified on ctx.request.rawBody', async () => {
      const { answer } = await deliver((app, router, webhooks) => {
        app.use(koaBodyparser());
        router.post(ROUTE, crmhooks(webhooks));
      });
      expect(answer.status).toBe(200);
    });

    test('koa-body with includeUnparsed: verified on the unparsed body', async () => {
      const { answer } = await deliver((app, router, webhooks) => {
        app.use(koaBody({ includeUnparsed: true }));
        router.post(ROUTE, crmhooks(webhooks));
      });
      expect(answer.status).toBe(200);
    });

    test('koa-body without includeUnparsed: 500 naming the fix, nothing dispatched', async () => {
      const { answer, dispatched } = await deliver((app, router, webhooks) => {
        app.use(koaBody());
        router.post(ROUTE, crmhooks(webhooks));
      });
      expect(answer.status).toBe(500);
      expect(answer.body.error).toEqual({ code: 'raw_body_missing', message: expect.stringContaining('koaBody({ includeUnparsed: true })') });
      expect(dispatched).toEqual([]);
    });
  });
}
