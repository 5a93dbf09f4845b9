import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import { createWebhooks, type AssociationEvent } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { createJournal } from '@crmhooks/journal';
import { listen, post } from '../../../test/support/http.js';
import { close, type CloseEvent } from '../src/close.js';

const signatureKey = 'a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** Signs as Close does, written here apart from the provider: hex HMAC-SHA256 of timestamp + body, keyed with the key's bytes. */
function closeDelivery(event: Partial<CloseEvent>, options: { key?: string; timestamp?: number } = {}) {
  const body = JSON.stringify({ subscription_id: 'whsub_1', event: { id: 'ev_1', object_type: 'contact', action: 'created', object_id: 'cont_1', lead_id: 'lead_1', organization_id: 'orga_1', date_created: '2026-12-05T10:00:00.000000', ...event } });
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const hash = createHmac('sha256', Buffer.from(options.key ?? signatureKey, 'hex')).update(timestamp + body).digest('hex');
  return { headers: { 'content-type': 'application/json', 'close-sig-hash': hash, 'close-sig-timestamp': timestamp }, body };
}

function app() {
  const journal = createJournal({ pruneEveryMs: false, logger: false });
  const webhooks = createWebhooks({ providers: [close({ signatureKey })], journal, store: journal.store, logger: false });
  const links: string[] = [];
  const runs: string[] = [];
  webhooks.on(['association.created', 'association.deleted'], (link: AssociationEvent) => void links.push(`${link.action} ${link.from.objectType}#${link.from.recordId} -> ${link.to.objectType}#${link.to.recordId}`));
  webhooks.onAny((event) => void runs.push(`${event.name}@${event.tenant}${event.replay ? ' (replay)' : ''}`));
  return { webhooks, journal, links, runs };
}

describe('Close, added with defineProvider (real HTTP)', () => {
  test('signed deliveries are handled once, typed, with contact-to-lead links; forged, stale, unsigned and malformed ones are refused', async () => {
    const { webhooks, journal, links, runs } = app();
    const server = await listen(createServer(createNodeHandler(webhooks)));
    try {
      const url = `${server.url}/webhooks/crm`;
      const created = closeDelivery({});
      expect((await post(url, created)).status).toBe(200);
      expect((await post(url, created)).body).toEqual({ ok: true, duplicate: true });
      expect((await post(url, closeDelivery({ id: 'ev_2', action: 'deleted' }))).status).toBe(200);
      expect((await post(url, closeDelivery({ id: 'ev_3', object_type: 'opportunity', action: 'updated', object_id: 'oppo_1', changed_fields: ['status_id'] }))).status).toBe(200);
      expect(links).toEqual(['created contact#cont_1 -> lead#lead_1', 'deleted contact#cont_1 -> lead#lead_1']);
      expect(runs).toEqual(['close.contact.created@orga_1', 'close.contact.deleted@orga_1', 'close.opportunity.updated@orga_1']);

      const refused = await Promise.all([
        post(url, closeDelivery({ id: 'ev_4' }, { key: 'b'.repeat(64) })),
        post(url, closeDelivery({ id: 'ev_5' }, { timestamp: Math.floor(Date.now() / 1000) - 600 })),
        post(url, { ...closeDelivery({ id: 'ev_6' }), headers: { 'content-type': 'application/json', 'close-sig-timestamp': '1' } }),
      ]);
      expect(refused.map((answer) => [answer.status, answer.body.error?.code])).toEqual([
        [401, 'signature_invalid'],
        [401, 'timestamp_outside_window'],
        [401, 'signature_missing'],
      ]);
      const malformed = closeDelivery({});
      const body = '{"subscription_id":"whsub_1"}';
      const timestamp = malformed.headers['close-sig-timestamp'];
      const hash = createHmac('sha256', Buffer.from(signatureKey, 'hex')).update(timestamp + body).digest('hex');
      const answer = await post(url, { headers: { ...malformed.headers, 'close-sig-hash': hash }, body });
      expect([answer.status, answer.body.error?.message]).toEqual([400, expect.stringContaining('no event with an id')]);
      expect(runs).toHaveLength(3);

      // Kept by the journal with its signed timestamp, so a replay verifies it again.
      expect(await journal.replay(webhooks, { provider: 'close', event: 'close.contact.created' })).toMatchObject({ matched: 1, handled: 1, skipped: [] });
      expect(runs.at(-1)).toBe('close.contact.created@orga_1 (replay)');
    } finally {
      await server.close();
      await journal.close();
    }
  });

  test('event names are checked: a misspelled one does not compile', () => {
    const webhooks = createWebhooks({ providers: [close({ signatureKey })], logger: false });
    webhooks.on('close.lead.updated', (event) => event.changed_fields);
    // @ts-expect-error: Close's actions are created, updated and deleted
    webhooks.on('close.lead.create', () => undefined);
    expect(() => close({ signatureKey: '' })).toThrow(/signature_key/);
  });
});
