import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { post } from '../../../test/support/http.js';

const fixture = fileURLToPath(new URL('./fixtures/hostile-server.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const secret = 'hostile-process-secret';

// The child runs the built package; the root test script builds first (never skipped in CI).
describe.skipIf(!built && !process.env.CI)('a real node:http process', () => {
  test('survives 1,000 handler rejections with values String() cannot convert, each answered 500', { timeout: 60_000 }, async () => {
    const child = fork(fixture, [], { env: { ...process.env, SECRET: secret }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let exitCode: number | null = null;
    child.on('exit', (code) => (exitCode = code));
    try {
      const url = await new Promise<string>((resolve) => child.once('message', (message: { url: string }) => resolve(message.url)));
      const statuses = new Map<number, number>();
      for (let batch = 0; batch < 20; batch += 1) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, index) =>
            post(url, superOfficeDelivery({ secret, payload: { ...superOfficeSample('relation.created'), EventId: `h-${batch}-${index}${index % 2 ? '-sync' : ''}` } })),
          ),
        );
        for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      }
      console.log(`process survives: 1000 hostile handler failures answered ${JSON.stringify(Object.fromEntries(statuses))}; child alive: ${exitCode === null}`);
      expect(Object.fromEntries(statuses)).toEqual({ 500: 1000 });
      expect(exitCode).toBeNull();
    } finally {
      child.kill();
    }
  });
});
