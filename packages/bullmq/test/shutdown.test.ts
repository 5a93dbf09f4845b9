import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { freePort } from '../../../test/support/free-port.js';

const fixture = fileURLToPath(new URL('./fixtures/unreachable-worker.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

// The process runs the built package; the root test script builds first (never skipped in CI).
describe.runIf(built || process.env.CI)('shutting a worker down', () => {
  test('with Redis unreachable, close() still resolves after the grace and 5 s more, says why, and the process exits', { timeout: 30_000 }, async () => {
    // Nothing listens there: BullMQ's connection keeps reconnecting, and its own close() never ends.
    const child = fork(fixture, [], { env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    await new Promise((ready) => child.once('message', ready));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expect(output).toMatch(/^warn worker_close_timeout: The BullMQ worker of queue unreachable did not close within 5\.5 s, most likely because Redis is unreachable/m);
  });
});
