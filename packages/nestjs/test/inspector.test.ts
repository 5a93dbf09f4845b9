/** The journal inspector (@crmhooks/inspector) mounted in a Nest controller, on both platforms, as its README says. */
import { All, Controller, Module, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createInspector, type Inspector } from '@crmhooks/inspector';
import { createJournal, pglite, type Journal } from '@crmhooks/journal';

const secret = 'nest-inspector-secret';
let db: PGlite;
let journal: Journal;
let inspector: Inspector;

@Controller()
class InspectorController {
  @All(['inspector', 'inspector/*'])
  serve(@Req() request: IncomingMessage | { raw: IncomingMessage }, @Res() response: ServerResponse | { raw: ServerResponse }) {
    // Express hands Node's objects; Fastify wraps them in `raw`.
    inspector.node('raw' in request ? request.raw : request, 'raw' in response ? response.raw : response);
  }
}

@Module({ controllers: [InspectorController] })
class InspectorModule {}

beforeAll(async () => {
  db = new PGlite();
  journal = createJournal({ database: pglite(db), pruneEveryMs: false });
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], journal, store: journal.store, logger: false });
  await webhooks.receive(superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: 'nest-1' } }));
  inspector = createInspector({ journal, webhooks, authorize: (request) => request.headers.get('authorization') === 'Bearer nest' });
});
afterAll(async () => {
  await journal?.close();
  await db?.close();
});

for (const platform of ['express', 'fastify'] as const) {
  describe(`the inspector in a Nest controller on ${platform}`, () => {
    test('serves the list and a delivery, and refuses without authorization', async () => {
      const app = platform === 'express' ? await NestFactory.create(InspectorModule, { logger: false }) : await NestFactory.create(InspectorModule, new FastifyAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      const origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      try {
        const list = await fetch(`${origin}/inspector/`, { headers: { authorization: 'Bearer nest' } });
        expect(list.status).toBe(200);
        expect(await list.text()).toContain('/inspector/delivery/superoffice/nest-1');
        const delivery = await fetch(`${origin}/inspector/delivery/superoffice/nest-1`, { headers: { authorization: 'Bearer nest' } });
        expect([delivery.status, (await delivery.text()).includes('nest-1')]).toEqual([200, true]);
        expect((await fetch(`${origin}/inspector/`)).status).toBe(403);
        // Typed without the final slash, and the stylesheet.
        expect((await fetch(`${origin}/inspector`, { headers: { authorization: 'Bearer nest' } })).status).toBe(200);
        expect((await fetch(`${origin}/inspector/inspector.css`, { headers: { authorization: 'Bearer nest' } })).status).toBe(200);
      } finally {
        await app.close();
      }
    });
  });
}
