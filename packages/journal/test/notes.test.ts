import { expect, test } from 'vitest';
import { NotesOnTheirWay } from '../src/notes.js';

test('reads and close() wait for notes on their way at most maxWaitMs: a note whose connection died without a word holds nothing up longer', async () => {
  const notes = new NotesOnTheirWay(100);
  let answer = () => {};
  notes.add(new Promise<void>((resolve) => (answer = resolve)));
  const started = performance.now();
  expect(await notes.settled()).toBe(false);
  const waited = performance.now() - started;
  expect(waited).toBeGreaterThanOrEqual(95);
  expect(waited).toBeLessThan(2_000);
  notes.add(Promise.resolve());
  answer();
  expect(await notes.settled()).toBe(true);
  expect(notes.size).toBe(0);
});
