import { describe, expect, test } from 'vitest';
import { ConfigurationError, createWebhooks, DEFAULT_LEASE_MS, MemoryIdempotencyStore, superoffice, type IdempotencyStore, type LogFields } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'lease-secret';
const delivery = (eventId: string) => superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps what it is given. */
function recordingLogger() {
  const lines: { level: string; fields: LogFields; message: string }[] = [];
  return {
    lines,
    logger: {
      warn: (fields: LogFields, message: string) => void lines.push({ level: 'warn', fields, message }),
      error: (fields: LogFields, message: string) => void lines.push({ level: 'error', fields, message }),
    },
  };
}

describe('claims are leases, renewed while the work runs', () => {
  test('the default lease is 3 s, short enough for SuperOffice\'s last retry 4 s after its first try', () => {
    expect(DEFAULT_LEASE_MS).toBe(3_000);
    expect(new MemoryIdempotencyStore().leaseMs).toBe(3_000);
  });

  test('a handler running for many leases keeps its claim: a copy meanwhile is "in progress" and the handler runs once', async () => {
    const store = new MemoryIdempotencyStore({ leaseMs: 150 });
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger: false });
    let runs = 0;
    webhooks.on('superoffice.relation.created', async () => {
      runs += 1;
      await sleep(900); // six leases
    });
    const first = webhooks.receive(delivery('slow-1'));
    const copies = [];
    for (let waited = 0; waited < 750; waited += 250) {
      await sleep(250);
      copies.push(await webhooks.receive(delivery('slow-1')));
    }
    expect(copies.map((copy) => copy.error?.code)).toEqual(['delivery_in_progress', 'delivery_in_progress', 'delivery_in_progress']);
    expect((await first).status).toBe(200);
    expect((await webhooks.receive(delivery('slow-1'))).body).toEqual({ ok: true, duplicate: true });
    expect(runs).toBe(1);
  });

  test('a claim nobody renews (its receiver died) lapses after leaseMs, and the retry is handled', async () => {
    const store = new MemoryIdempotencyStore({ leaseMs: 100 });
    expect(store.claim('superoffice', 'orphan-1')).toBe('claimed'); // a receiver claimed it, then died
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger: false });
    let runs = 0;
    webhooks.on('superoffice.relation.created', () => void (runs += 1));
    expect((await webhooks.receive(delivery('orphan-1'))).error?.code).toBe('delivery_in_progress');
    await sleep(150);
    expect((await webhooks.receive(delivery('orphan-1'))).status).toBe(200);
    expect(runs).toBe(1);
  });

  test('a lease found lapsed while handlers run is logged once, saying another receiver may be handling it', async () => {
    const memory = new MemoryIdempotencyStore({ leaseMs: 60 });
    // The store lost the claim (as when a stalled event loop let it lapse and another receiver took it).
    const store: IdempotencyStore = { ...bind(memory), renew: () => false };
    const { lines, logger } = recordingLogger();
    const webhooks = createWebhooks({ providers: [superoffice({ secret })], store, logger });
    webhooks.on('superoffice.relation.created', () => sleep(200));
    expect((await webhooks.receive(delivery('lost-1'))).status).toBe(200);
    const lost = lines.filter((line) => line.fields.code === 'lease_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ level: 'warn', fields: { provider: 'superoffice', deliveryId: 'lost-1' } });
    expect(lost[0]!.message).toMatch(/Another receiver may be handling the same delivery now.*raise leaseMs/);
  });

  test('a store that cannot renew its claims is refused at construction, with what to implement', () => {
    const { leaseMs: _leaseMs, renew: _renew, ...withoutLeases } = bind(new MemoryIdempotencyStore());
    expect(() => createWebhooks({ providers: [superoffice({ secret })], store: withoutLeases as unknown as IdempotencyStore })).toThrow(ConfigurationError);
    expect(() => createWebhooks({ providers: [superoffice({ secret })], store: withoutLeases as unknown as IdempotencyStore })).toThrow(/leaseMs and renew\(\)/);
  });
});

/** The store's methods as a plain object, so a test can swap one. */
function bind(store: MemoryIdempotencyStore): IdempotencyStore {
  return {
    leaseMs: store.leaseMs,
    claim: (provider, id) => store.claim(provider, id),
    renew: (provider, id) => store.renew(provider, id),
    complete: (provider, id) => store.complete(provider, id),
    release: (provider, id) => store.release(provider, id),
  };
}
