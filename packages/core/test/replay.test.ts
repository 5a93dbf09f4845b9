import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createWebhooks, highlevel, MemoryIdempotencyStore, superoffice } from '@crmhooks/core';
import { generateHighLevelKeyPair, highLevelDelivery, highLevelSample, superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'replay-secret';
const keys = generateHighLevelKeyPair();
const HOUR = 3600_000;

/**
 * The guarantee: a captured, validly signed delivery is accepted once. Inside the replay
 * window (24 h by default) the idempotency store remembers its id; past the window its
 * signed timestamp refuses it.
 */
describe('replay protection', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => void vi.useRealTimers());

  const receiver = () => {
    const webhooks = createWebhooks({ providers: [superoffice({ secret }), highlevel({ publicKeys: keys.publicKey })], logger: false });
    const handled: string[] = [];
    webhooks.onAny((event) => void handled.push(event.deliveryId));
    return { webhooks, handled };
  };

  test('a SuperOffice delivery whose signed Timestamp is three years old is refused with a 401 naming its age and the option', async () => {
    const { webhooks, handled } = receiver();
    const payload = { ...superOfficeSample('relation.created'), Timestamp: new Date(Date.now() - 3 * 365 * 24 * HOUR).toISOString() };
    const outcome = await webhooks.receive(superOfficeDelivery({ secret, payload }));
    expect([outcome.status, outcome.error?.code]).toEqual([401, 'timestamp_outside_window']);
    expect(outcome.error?.message).toMatch(/signed Timestamp is 1095 days old, outside the 24 h replay window.*superoffice\(\{ replayWindowMs \}\)/);
    expect(handled).toEqual([]);
  });

  for (const provider of ['superoffice', 'highlevel'] as const) {
    test(`${provider}: within the window the store catches every replay; past it the signed timestamp does`, async () => {
      const { webhooks, handled } = receiver();
      const captured =
        provider === 'superoffice'
          ? superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') })
          : highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey: keys.privateKey });
      expect((await webhooks.receive(captured)).status).toBe(200);
      const body = JSON.parse(captured.body) as { Timestamp?: string; timestamp?: string };
      const signedAt = Date.parse(body.Timestamp ?? body.timestamp!);
      for (const hoursLater of [1, 12, 23.9]) {
        vi.setSystemTime(signedAt + hoursLater * HOUR);
        expect((await webhooks.receive(captured)).body).toEqual({ ok: true, duplicate: true });
      }
      vi.setSystemTime(Date.now() + 0.2 * HOUR); // 24.1 h after it was signed: the store has let the id go
      const late = await webhooks.receive(captured);
      expect([late.status, late.error?.code]).toEqual([401, 'timestamp_outside_window']);
      expect(handled).toHaveLength(1);
    });
  }

  test('past 50,000 other deliveries the default store forgets an id, and warns, before the window closes', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 100 }); // the default's 100,000, scaled down
    const warnings: string[] = [];
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger: { warn: (_fields, message) => void warnings.push(message), error: () => undefined } });
    const captured = superOfficeDelivery({ secret, payload: superOfficeSample('relation.created') });
    await webhooks.receive(captured);
    for (let index = 0; index < 100; index += 1) {
      await webhooks.receive(superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: `other-${index}` } }));
    }
    expect(warnings).toEqual([expect.stringMatching(/forgot handled delivery ids younger than its ttlMs.*Raise maxEntries/)]);
    expect((await webhooks.receive(captured)).status).toBe(200); // handled again: the gap the warning names
  });
});
