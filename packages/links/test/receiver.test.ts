import { createServer } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createWebhooks, superoffice, type AssociationEvent } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { createLinkMirror, pglite, type Database } from '../src/index.js';
import { listen, post, type RunningServer } from '../../../test/support/http.js';

const secret = 'links-test-secret';
let db: PGlite;
let failing = false;
/** The embedded database, made to fail on demand as a database that went away would. */
let database: Database;
let server: RunningServer;
const applied: AssociationEvent[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  db = await PGlite.create();
  const real = pglite(db);
  database = { exec: (script) => real.exec(script), query: (sql, params) => (failing ? Promise.reject(new Error('connection terminated')) : real.query(sql, params)) };
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], logger: { warn: () => undefined, error: (fields) => void errors.push(fields) } });
  createLinkMirror({ database }).attach(webhooks, ({ event }) => void applied.push(event));
  server = await listen(createServer(createNodeHandler(webhooks, { path: '/webhooks/crm' })));
});
afterAll(async () => (await server?.close(), await db?.close()));

const relation = (event: 'relation.created' | 'relation.deleted', EventId: string) => {
  // One customer's relation: the samples come from two (the deleted one from an onsite install, "Default").
  const payload = { ...superOfficeSample(event), EventId, ContextIdentifier: 'Cust26759' };
  return superOfficeDelivery({ secret, payload: event === 'relation.deleted' ? { ...payload, PrimaryKey: 20, Values: { relation_id: 20 } } : payload });
};

test('over real HTTP: a SuperOffice relation.deleted reaches onApplied with the two ends the mirror stored', async () => {
  expect((await post(`${server.url}/webhooks/crm`, relation('relation.created', 'created-20'))).status).toBe(200);
  expect((await post(`${server.url}/webhooks/crm`, relation('relation.deleted', 'deleted-20'))).status).toBe(200);
  expect(applied.at(-1)).toMatchObject({ action: 'deleted', id: '20', definitionId: '7', from: { table: 5, recordId: '1' }, to: { table: 5, recordId: '2' } });
});

test('a database failure fails the delivery (5xx, logged) so that SuperOffice retries it, and the retry is applied', async () => {
  const delivery = relation('relation.created', 'created-retry');
  failing = true;
  const first = await post(`${server.url}/webhooks/crm`, delivery);
  expect(first.status).toBe(500);
  expect(errors).toContainEqual(expect.objectContaining({ code: 'handler_failed', deliveryId: 'created-retry' }));
  failing = false;
  expect((await post(`${server.url}/webhooks/crm`, delivery)).status).toBe(200);
  expect(applied.at(-1)).toMatchObject({ deliveryId: 'created-retry', action: 'created' });
});
