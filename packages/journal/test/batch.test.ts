import { describe, expect, test } from 'vitest';
import { WriteBatcher } from '../src/batch.js';

describe('the write batcher', () => {
  test('sends writes that arrive while a batch is out as one batch, answering each its own result', async () => {
    const batches: number[][] = [];
    const batcher = new WriteBatcher(async (writes: readonly number[]) => {
      batches.push([...writes]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return writes.map((write) => write * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((write) => batcher.write(write)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  test('a batch left unanswered (a connection that died without a word) does not hold up the writes after it', async () => {
    let calls = 0;
    const batcher = new WriteBatcher(async (writes: readonly string[]) => {
      calls += 1;
      if (calls === 1) return new Promise<never>(() => {});
      return writes.map((write) => `${write} written`);
    }, 50);
    const lost = batcher.write('first');
    const started = performance.now();
    await expect(batcher.write('second')).resolves.toBe('second written');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(await Promise.race([lost.then(() => 'answered'), Promise.resolve('still waiting')])).toBe('still waiting');
  });

  test('a failed try is tried again once, one write at a time, each told it is a retry; what fails again fails alone', async () => {
    const sent: [number[], boolean][] = [];
    let failNext = true;
    const batcher = new WriteBatcher(async (writes: readonly number[], retry: boolean) => {
      sent.push([[...writes], retry]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failNext) {
        failNext = false;
        throw new Error('connection lost');
      }
      if (writes.includes(3)) throw new Error('refused');
      return writes.map((write) => write * 10);
    });
    await expect(batcher.write(1)).resolves.toBe(10);
    failNext = true;
    const results = await Promise.allSettled([2, 3, 4, 5].map((write) => batcher.write(write)));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message))).toEqual([20, 'refused', 40, 50]);
    expect(sent).toEqual([
      [[1], false],
      [[1], true],
      [[2], false],
      [[2], true],
      [[3, 4, 5], false],
      [[3], true],
      [[4], true],
      [[5], true],
    ]);
  });
});
