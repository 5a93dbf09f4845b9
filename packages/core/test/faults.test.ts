import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  createWebhooks,
  HandlerError,
  HandlerTimeoutError,
  MemoryIdempotencyStore,
  ReceiverClosedError,
  superoffice,
  type IdempotencyStore,
  type WebhookError,
} from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';

const secret = 'faults-secret';
const delivery = (eventId = 'faults-1') =>
  superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: eventId } });
const receiver = (options: { handlerTimeoutMs?: number; storeTimeoutMs?: number; store?: IdempotencyStore } = {}) =>
  createWebhooks({ providers: [superoffice({ secret })], logger: false, ...options });

/** Values that `String()` cannot turn into text: building a message from them must not throw. */
const unprintable = {
  'Object.create(null)': () => Object.create(null) as unknown,
  'an object whose toString throws': () => ({
    toString() {
      throw new Error('no text for you');
    },
  }),
};

describe('whatever a handler throws, the delivery is answered 500 and released', () => {
  for (const [label, value] of Object.entries(unprintable)) {
    test(`async rejection with ${label}`, async () => {
      const webhooks = receiver();
      const reported: WebhookError[] = [];
      webhooks.onError((error) => void reported.push(error));
      let calls = 0;
      webhooks.on('superoffice.relation.created', async () => {
        calls += 1;
        if (calls === 1) throw value();
      });
      const first = await webhooks.receive(delivery());
      expect([first.status, first.error?.code]).toEqual([500, 'handler_failed']);
      expect(first.error?.message).toMatch(/cannot be converted to text/);
      expect((reported[0] as HandlerError).errors[0]).toBeTypeOf('object');
      // Released: the retry runs the handler again instead of getting 409 for the whole lease.
      expect((await webhooks.receive(delivery())).status).toBe(200);
      expect(calls).toBe(2);
    });

    test(`synchronous throw of ${label}`, async () => {
      const store = new MemoryIdempotencyStore();
      const webhooks = receiver({ store });
      let calls = 0;
      webhooks.on('superoffice.relation.created', () => {
        calls += 1;
        if (calls === 1) throw value();
      });
      expect((await webhooks.receive(delivery())).status).toBe(500);
      expect(store.size).toBe(0);
      expect((await webhooks.receive(delivery())).status).toBe(200);
      expect(calls).toBe(2);
    });
  }

  test('10,000 failing deliveries leave no claim behind', async () => {
    const store = new MemoryIdempotencyStore();
    const webhooks = receiver({ store });
    webhooks.on('superoffice.relation.created', () => {
      throw Object.create(null);
    });
    for (let index = 0; index < 10_000; index += 1) {
      expect((await webhooks.receive(delivery(`fail-${index}`))).status).toBe(500);
    }
    expect(store.size).toBe(0);
  });
});

describe('timeouts (fake timers)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  test('handlers that never settle: handler_timeout after handlerTimeoutMs, signal aborted, id released, retry handled', async () => {
    const webhooks = receiver({ handlerTimeoutMs: 1000 });
    const reported: WebhookError[] = [];
    webhooks.onError((error) => void reported.push(error));
    const signals: AbortSignal[] = [];
    let calls = 0;
    webhooks.on('superoffice.relation.created', (_event, { signal }) => {
      calls += 1;
      signals.push(signal);
      return calls === 1 ? new Promise(() => undefined) : undefined; // the first call hangs forever
    });
    const pending = webhooks.receive(delivery());
    await vi.advanceTimersByTimeAsync(999);
    expect(signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const first = await pending;
    expect([first.status, first.error?.code]).toEqual([500, 'handler_timeout']);
    expect(first.error).toBeInstanceOf(HandlerTimeoutError);
    expect(first.error?.message).toMatch(/Their signal was aborted and the delivery answered so that the CRM retries it\. .*or hand slow work to a queue/);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBe(first.error);
    expect(reported).toEqual([first.error]);
    const retry = await webhooks.receive(delivery());
    expect(retry.status).toBe(200);
    expect(calls).toBe(2);
  });

  test('a store that never answers: 503 after storeTimeoutMs, nothing dispatched; a late claim is released', async () => {
    let answerClaim!: (result: 'claimed') => void;
    const released: string[] = [];
    const hanging: IdempotencyStore = {
      leaseMs: 3000,
      renew: () => true,
      claim: () => new Promise((resolve) => (answerClaim = resolve)),
      complete: () => undefined,
      release: (_provider, id) => void released.push(id),
    };
    const webhooks = receiver({ store: hanging, storeTimeoutMs: 300 });
    let calls = 0;
    webhooks.on('superoffice.relation.created', () => void (calls += 1));
    const pending = webhooks.receive(delivery());
    await vi.advanceTimersByTimeAsync(300);
    const answer = await pending;
    expect([answer.status, answer.error?.code, calls]).toEqual([503, 'store_unavailable', 0]);
    expect(answer.error?.message).toMatch(/no answer within 300 ms/);
    // The store claims the id after all (a reconnecting client replays its queue): that claim must not block retries.
    answerClaim('claimed');
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toEqual(['faults-1']);
  });

  test('close() waits for running handlers for graceMs, then aborts their signal; later deliveries are refused for a retry', async () => {
    const webhooks = receiver();
    let signal: AbortSignal | undefined;
    webhooks.on('superoffice.relation.created', (_event, context) => {
      signal = context.signal;
      return new Promise((resolve) => context.signal.addEventListener('abort', resolve));
    });
    const pending = webhooks.receive(delivery());
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    void webhooks.close({ graceMs: 5000 }).then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(4999);
    expect([signal?.aborted, closed]).toEqual([false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.reason).toBeInstanceOf(ReceiverClosedError);
    expect(closed).toBe(true);
    expect((await pending).status).toBe(200); // the handler resolved when aborted
    const late = await webhooks.receive(delivery('after-close'));
    expect([late.status, late.error?.code, late.headers['retry-after']]).toEqual([503, 'receiver_closed', '5']);
  });
});

test('timeouts are checked at construction', () => {
  expect(() => receiver({ handlerTimeoutMs: 0 })).toThrow(/handlerTimeoutMs/);
  expect(() => receiver({ storeTimeoutMs: Number.NaN })).toThrow(/storeTimeoutMs/);
});
