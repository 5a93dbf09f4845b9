import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ConfigurationError, MemoryIdempotencyStore } from '@crmhooks/core';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  const clock = { now: start, advance: (ms: number) => void (clock.now += ms) };
  return { clock, now: () => clock.now };
}

describe('MemoryIdempotencyStore', () => {
  test('claim, complete and release follow a delivery through its life', () => {
    const store = new MemoryIdempotencyStore();
    expect(store.claim('test', 'a')).toBe('claimed');
    expect(store.claim('test', 'a')).toBe('in_progress');
    store.release('test', 'a');
    expect(store.claim('test', 'a')).toBe('claimed');
    store.complete('test', 'a');
    expect(store.claim('test', 'a')).toBe('completed');
    store.complete('test', 'never-claimed');
    expect(store.claim('test', 'never-claimed')).toBe('completed');
  });

  test('handled ids are remembered for ttlMs, then forgotten; a claim holds for leaseMs, two different spans', () => {
    const { clock, now } = manualClock();
    const store = new MemoryIdempotencyStore({ ttlMs: 10_000, leaseMs: 1_000, now });
    store.claim('test', 'done');
    store.complete('test', 'done');
    expect(store.claim('test', 'hung')).toBe('claimed');
    clock.advance(999);
    expect([store.claim('test', 'done'), store.claim('test', 'hung')]).toEqual(['completed', 'in_progress']);
    clock.advance(1);
    expect([store.claim('test', 'done'), store.claim('test', 'hung')]).toEqual(['completed', 'claimed']);
    clock.advance(8_999);
    expect(store.claim('test', 'done')).toBe('completed');
    clock.advance(1);
    expect(store.claim('test', 'done')).toBe('claimed');
  });

  test('renew extends a live claim by leaseMs from now; a lapsed or released claim cannot be renewed', () => {
    const { clock, now } = manualClock();
    const store = new MemoryIdempotencyStore({ leaseMs: 1_000, now });
    store.claim('test', 'a');
    clock.advance(900);
    expect(store.renew('test', 'a')).toBe(true);
    clock.advance(900); // 1,800 ms after the claim, 900 after the renewal
    expect(store.claim('test', 'a')).toBe('in_progress');
    clock.advance(100);
    expect(store.renew('test', 'a')).toBe(false);
    expect(store.claim('test', 'a')).toBe('claimed');
    store.release('test', 'a');
    expect(store.renew('test', 'a')).toBe(false);
  });

  test('claims overlapping in time (asynchronous handlers) each hold until completed or released', () => {
    const store = new MemoryIdempotencyStore();
    expect(store.claim('test', 'a')).toBe('claimed');
    expect(store.claim('test', 'b')).toBe('claimed');
    expect(store.claim('test', 'c')).toBe('claimed');
    expect(['a', 'b', 'c'].map((id) => store.claim('test', id))).toEqual(['in_progress', 'in_progress', 'in_progress']);
    expect(store.size).toBe(3);
    store.complete('test', 'a');
    store.release('test', 'b');
    expect(['a', 'b', 'c'].map((id) => store.claim('test', id))).toEqual(['completed', 'claimed', 'in_progress']);
    store.complete('test', 'c');
    store.complete('test', 'b');
    expect(['a', 'b', 'c'].map((id) => store.claim('test', id))).toEqual(['completed', 'completed', 'completed']);
    expect(store.size).toBe(3);
  });

  test('a claim whose handler never finishes can be taken again after leaseMs, whether or not newer claims came after it', () => {
    const { clock, now } = manualClock();
    const store = new MemoryIdempotencyStore({ leaseMs: 30, now });
    expect(store.claim('test', 'older')).toBe('claimed');
    expect(store.claim('test', 'newer')).toBe('claimed');
    expect([store.claim('test', 'older'), store.claim('test', 'newer')]).toEqual(['in_progress', 'in_progress']);
    clock.advance(30);
    expect(store.claim('test', 'older')).toBe('claimed');
    expect(store.claim('test', 'newer')).toBe('claimed');
    expect(store.claim('test', 'older')).toBe('in_progress');
    expect(store.size).toBe(2);
  });

  test('memory stays bounded: the oldest ids are forgotten beyond maxEntries', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 1000 });
    for (let index = 0; index < 5000; index += 1) {
      store.claim('test', `id-${index}`);
      store.complete('test', `id-${index}`);
    }
    expect(store.size).toBeLessThanOrEqual(1000);
    expect(store.size).toBeGreaterThanOrEqual(500);
    expect(store.claim('test', 'id-4999')).toBe('completed');
    expect(store.claim('test', 'id-4500')).toBe('completed');
    expect(store.claim('test', 'id-0')).toBe('claimed');
  });

  test('expired ids are dropped as new ones arrive', () => {
    const { clock, now } = manualClock();
    const store = new MemoryIdempotencyStore({ ttlMs: 20, now });
    for (let index = 0; index < 100; index += 1) store.complete('test', `old-${index}`);
    clock.advance(20);
    expect(store.claim('test', 'new')).toBe('claimed');
    expect(store.size).toBe(1);
  });

  test('a claim is honoured while generations of handled ids come and go', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 10 });
    expect(store.claim('test', 'slow')).toBe('claimed');
    for (let index = 0; index < 25; index += 1) {
      store.claim('test', `other-${index}`);
      store.complete('test', `other-${index}`);
    }
    expect(store.claim('test', 'slow')).toBe('in_progress');
    store.complete('test', 'slow');
    expect(store.claim('test', 'slow')).toBe('completed');
  });

  test('the same delivery id from two providers is two deliveries', () => {
    const store = new MemoryIdempotencyStore();
    expect(store.claim('superoffice', 'a')).toBe('claimed');
    store.complete('superoffice', 'a');
    expect(store.claim('highlevel', 'a')).toBe('claimed');
    expect(store.claim('superoffice', 'a')).toBe('completed');
  });

  test('a claim is not a handled id: releasing it leaves no trace, and claims do not count as handled', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 4 });
    for (let index = 0; index < 10; index += 1) store.claim('test', `busy-${index}`);
    expect(store.size).toBe(10);
    for (let index = 0; index < 10; index += 1) store.release('test', `busy-${index}`);
    expect(store.size).toBe(0);
    expect(store.claim('test', 'busy-0')).toBe('claimed');
  });

  test('forgetting ids younger than ttlMs (more deliveries than maxEntries within it) warns once, with the fix', () => {
    const { clock, now } = manualClock();
    const store = new MemoryIdempotencyStore({ maxEntries: 4, ttlMs: 60_000, now });
    const warnings: string[] = [];
    store.onWarning((message) => void warnings.push(message));
    const handle = (id: string) => (store.claim('test', id), store.complete('test', id));
    ['a', 'b', 'c'].forEach(handle); // two generations of two: nothing forgotten yet
    expect(warnings).toEqual([]);
    handle('d'); // the generation holding a and b is dropped while they are young
    expect(store.claim('test', 'a')).toBe('claimed');
    expect(warnings).toEqual([expect.stringMatching(/forgot handled delivery ids younger than its ttlMs \(60 s\).*Raise maxEntries.*@crmhooks\/redis/)]);
    ['g', 'h', 'i', 'j'].forEach(handle);
    expect(warnings).toHaveLength(1);
    clock.advance(60_000);
    const quiet = new MemoryIdempotencyStore({ maxEntries: 4, ttlMs: 1000, now });
    quiet.onWarning((message) => void warnings.push(message));
    ['a', 'b', 'c', 'd'].forEach((id) => (quiet.claim('test', id), quiet.complete('test', id), clock.advance(600)));
    expect(warnings).toHaveLength(1); // those ids had expired: forgetting them loses nothing
  });

  test('thousands of ids of any length and alphabet are remembered exactly, across table growth', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 100_000 });
    const ids = Array.from({ length: 12_000 }, (_, index) =>
      ['', 'é', '😀', 'x'.repeat(300), randomUUID()][index % 5]! + String(index),
    );
    ids.push('');
    const known = new Set(ids);
    for (const [index, id] of ids.entries()) {
      const provider = index % 2 === 0 ? 'superoffice' : 'highlevel';
      expect(store.claim(provider, id)).toBe('claimed');
      store.complete(provider, id);
    }
    expect(store.size).toBe(ids.length);
    for (const [index, id] of ids.entries()) {
      const provider = index % 2 === 0 ? 'superoffice' : 'highlevel';
      const other = index % 2 === 0 ? 'highlevel' : 'superoffice';
      expect(store.claim(provider, id)).toBe('completed');
      // A longer or shorter id, or the same id from the other provider, is a different delivery.
      for (const [unseenProvider, unseen] of [[provider, `${id}0`], [provider, id.slice(0, -1)], [other, id]] as const) {
        if (known.has(unseen) && unseenProvider === provider) continue;
        expect(store.claim(unseenProvider, unseen)).toBe('claimed');
        store.release(unseenProvider, unseen);
      }
    }
  });

  test('options are checked', () => {
    expect(() => new MemoryIdempotencyStore({ ttlMs: 0 })).toThrow(ConfigurationError);
    expect(() => new MemoryIdempotencyStore({ maxEntries: Number.NaN })).toThrow(/maxEntries/);
    expect(() => new MemoryIdempotencyStore({ maxEntries: 1 })).toThrow(/at least 2/);
  });
});
