/** The inspector mounted as its README says, in real Express, Koa and Fastify servers on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { PGlite } from '@electric-sql/pglite';
import express from 'express';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createInspector, type Inspector } from '@crmhooks/inspector';
import { createJournal, pglite, type Journal } from '@crmhooks/journal';

const secret = 'mount-secret';
const TOKEN = 'Bearer mount-test';
let db: PGlite;
let journal: Journal;
let inspector: Inspector;

beforeAll(async () => {
  db = new PGlite();
  journal = createJournal({ database: pglite(db), pruneEveryMs: false });
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
  webhooks.on('superoffice.relation.created', () => undefined);
  await webhooks.receive(superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'mounted-1' } }));
  inspector = createInspector({ journal, webhooks, authorize: (request) => request.headers.get('authorization') === TOKEN });
});
afterAll(async () => {
  await journal?.close();
  await db?.close();
});

async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The list, a delivery, the stylesheet, and a refusal without the token. */
async function expectMounted(origin: string) {
  const get = (path: string, authorization = TOKEN) => fetch(`${origin}/inspector${path}`, { headers: { authorization } });
  const list = await get('/');
  expect([list.status, list.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  expect((await get('')).status).toBe(200); // typed without the final slash
  expect(await list.text()).toContain('href="/inspector/delivery/superoffice/mounted-1"');
  const delivery = await get('/delivery/superoffice/mounted-1');
  expect([delivery.status, (await delivery.text()).includes('class="replay"')]).toEqual([200, true]);
  expect((await get('/inspector.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  expect((await get('/', 'Bearer wrong')).status).toBe(403);
}

describe('mounted', () => {
  test('in Express: app.use(\'/inspector\', inspector.node)', async () => {
    const app = express();
    app.use('/inspector', inspector.node);
    const server = createServer(app);
    try {
      await expectMounted(await listenOn(server));
    } finally {
      server.close();
    }
  });

  test('in Koa, through @koa/router', async () => {
    const router = new Router();
    router.all(['/inspector', '/inspector/{*path}'], (context) => {
      context.respond = false;
      inspector.node(context.req, context.res);
    });
    const server = createServer(new Koa().use(router.routes()).callback());
    try {
      await expectMounted(await listenOn(server));
    } finally {
      server.close();
    }
  });

  test('in Fastify, with the reply hijacked', async () => {
    const app = Fastify();
    const serve = (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      inspector.node(request.raw, reply.raw);
    };
    app.all('/inspector', serve);
    app.all('/inspector/*', serve);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await expectMounted(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    } finally {
      await app.close();
    }
  });

  test('as a Web handler (Hono, Next.js)', async () => {
    const answer = await inspector.fetch(new Request('http://app.example/inspector/', { headers: { authorization: TOKEN } }));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('mounted-1');
  });
});
