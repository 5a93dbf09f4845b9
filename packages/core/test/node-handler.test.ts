import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import { createWebhooks, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { listen, post } from '../../../test/support/http.js';

describe('createNodeHandler (node:http)', () => {
  test('receives deliveries on its path and answers 404 elsewhere', async () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret: 'node-secret' })] });
    const seen: string[] = [];
    webhooks.on('association.created', (link) => void seen.push(link.to.recordId ?? '?'));
    const server = await listen(createServer(createNodeHandler(webhooks, { path: '/webhooks/crm' })));
    try {
      const delivery = superOfficeDelivery({ secret: 'node-secret', payload: superOfficeSample('relation.created') });
      expect((await post(`${server.url}/webhooks/crm`, delivery)).status).toBe(200);
      const elsewhere = await post(`${server.url}/other`, delivery);
      expect([elsewhere.status, elsewhere.body.error?.code]).toEqual([404, 'not_found']);
      expect(seen).toEqual(['2']);
    } finally {
      await server.close();
    }
  });
});
