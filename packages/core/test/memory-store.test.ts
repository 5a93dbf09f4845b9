import { describe, expect, test } from 'vitest';
import { ConfigurationError, MemoryIdempotencyStore } from '@crmhooks/core';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MemoryIdempotencyStore', () => {
  test('claim, complete and release follow a delivery through its life', () => {
    const store = new MemoryIdempotencyStore();
    expect(store.claim('a')).toBe('claimed');
    expect(store.claim('a')).toBe('in_progress');
    store.release('a');
    expect(store.claim('a')).toBe('claimed');
    store.complete('a');
    expect(store.claim('a')).toBe('completed');
  });

  test('handled ids are forgotten after ttlMs', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 30 });
    store.claim('a');
    store.complete('a');
    expect(store.claim('a')).toBe('completed');
    await sleep(60);
    expect(store.claim('a')).toBe('claimed');
  });

  test('a claim whose handler never finishes can be taken again after leaseMs', async () => {
    const store = new MemoryIdempotencyStore({ leaseMs: 30 });
    expect(store.claim('a')).toBe('claimed');
    expect(store.claim('a')).toBe('in_progress');
    await sleep(60);
    expect(store.claim('a')).toBe('claimed');
  });

  test('memory stays bounded: the oldest ids are forgotten beyond maxEntries', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 1000 });
    for (let index = 0; index < 5000; index += 1) {
      store.claim(`id-${index}`);
      store.complete(`id-${index}`);
    }
    expect(store.size).toBeLessThanOrEqual(1000);
    expect(store.size).toBeGreaterThanOrEqual(500);
    expect(store.claim('id-4999')).toBe('completed');
    expect(store.claim('id-4500')).toBe('completed');
    expect(store.claim('id-0')).toBe('claimed');
  });

  test('expired ids are dropped as new ones arrive', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 20 });
    for (let index = 0; index < 100; index += 1) store.complete(`old-${index}`);
    await sleep(40);
    expect(store.claim('new')).toBe('claimed');
    expect(store.size).toBe(1);
  });

  test('a claim that moved to the previous generation is still honoured', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 10 });
    expect(store.claim('slow')).toBe('claimed');
    for (let index = 0; index < 4; index += 1) store.claim(`other-${index}`);
    expect(store.claim('slow')).toBe('in_progress');
    store.complete('slow');
    expect(store.claim('slow')).toBe('completed');
  });

  test('options are checked', () => {
    expect(() => new MemoryIdempotencyStore({ ttlMs: 0 })).toThrow(ConfigurationError);
    expect(() => new MemoryIdempotencyStore({ maxEntries: Number.NaN })).toThrow(/maxEntries/);
    expect(() => new MemoryIdempotencyStore({ maxEntries: 1 })).toThrow(/at least 2/);
  });
});
