import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import { createWebhooks, highlevel, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { generateHighLevelKeyPair, highLevelDelivery, highLevelSample, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const keys = generateHighLevelKeyPair();
import { listen, post } from '../../../test/support/http.js';

describe('createNodeHandler (node:http)', () => {
  test('receives deliveries on its path and answers 404 elsewhere', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret: 'node-secret' })], logger: false });
    const seen: string[] = [];
    webhooks.on('association.created', (link) => void seen.push(link.to.recordId ?? '?'));
    const server = await listen(createServer(createNodeHandler(webhooks, { path: '/webhooks/crm' })));
    try {
      const delivery = superOfficeDelivery({ secret: 'node-secret', payload: superOfficeSample('relation.created') });
      expect((await post(`${server.url}/webhooks/crm`, delivery)).status).toBe(200);
      const elsewhere = await post(`${server.url}/other`, delivery);
      expect([elsewhere.status, elsewhere.body.error?.code]).toEqual([404, 'not_found']);
      expect(seen).toEqual(['2']);
      // A handler failure asks HighLevel for a retry with 429, the only status it retries.
      const failing = createWebhooks({ providers: [highlevel({ publicKeys: keys.publicKey })], logger: false });
      failing.on('highlevel.RelationCreate', () => Promise.reject(new Error('down')));
      const failingServer = await listen(createServer(createNodeHandler(failing)));
      try {
        const answer = await post(failingServer.url, highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey }));
        expect([answer.status, answer.headers.get('retry-after'), answer.body.error?.code]).toEqual([429, '5', 'handler_failed']);
      } finally {
        await failingServer.close();
      }
    } finally {
      await server.close();
    }
  });
});
