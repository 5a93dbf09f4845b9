import { describe, expect, test } from 'vitest';
import { WriteBatcher } from '../src/batch.js';

describe('the write batcher', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  test('the writes of one turn go as one batch; a second batch goes while the first is out; writes that find two out wait, then go together', async () => {
    const batches: number[][] = [];
    const answers: (() => void)[] = [];
    const batcher = new WriteBatcher(async (writes: readonly number[]) => {
      batches.push([...writes]);
      await new Promise<void>((resolve) => answers.push(resolve));
      return writes.map((write) => write * 10);
    });
    const first = [1, 2].map((write) => batcher.write(write));
    await tick();
    const second = [batcher.write(3)];
    await tick();
    const third = [4, 5, 6].map((write) => batcher.write(write));
    await tick();
    expect(batches).toEqual([[1, 2], [3]]);
    answers[0]!();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await tick(); // the batcher learns of the answer in the same turn, and sends in the next
    await tick();
    expect(batches).toEqual([[1, 2], [3], [4, 5, 6]]);
    answers[1]!();
    answers[2]!();
    expect(await Promise.all([...second, ...third])).toEqual([30, 40, 50, 60]);
  });

  test('batches left unanswered (connections that died without a word) do not hold up the writes after them', async () => {
    let calls = 0;
    const batcher = new WriteBatcher(async (writes: readonly string[]) => {
      calls += 1;
      if (calls <= 2) return new Promise<never>(() => {});
      return writes.map((write) => `${write} written`);
    }, 50);
    const lost = [batcher.write('first')];
    await tick();
    lost.push(batcher.write('second'));
    await tick();
    const started = performance.now();
    await expect(batcher.write('third')).resolves.toBe('third written');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(await Promise.race([Promise.any(lost).then(() => 'answered'), tick().then(() => 'still waiting')])).toBe('still waiting');
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
      [[2, 3, 4, 5], false],
      [[2], true],
      [[3], true],
      [[4], true],
      [[5], true],
    ]);
  });
});
