import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const require = createRequire(import.meta.url);

// The root test script builds first. Running vitest alone without a build skips this file (never in CI).
describe.skipIf(!existsSync(`${dist}index.js`) && !process.env.CI)('the built package', () => {
  test.each([
    ['ESM', async () => [await import(`${dist}index.js`), await import(`${dist}testing.js`)]],
    ['CJS', async () => [require(`${dist}index.cjs`), require(`${dist}testing.cjs`)]],
  ] as const)('%s build receives a signed delivery', async (_format, load) => {
    const [core, testing] = await load();
    const webhooks = core.createWebhooks({ providers: [core.superoffice({ secret: 's3cret' })] });
    const seen: unknown[] = [];
    webhooks.on('association.created', (link: { from: unknown }) => void seen.push(link.from));
    const outcome = await webhooks.receive(
      testing.superOfficeDelivery({ secret: 's3cret', payload: testing.superOfficeSample('relation.created') }),
    );
    expect(outcome.status).toBe(200);
    expect(seen).toEqual([{ objectType: 'contact', table: 5, recordId: '1' }]);
    expect(new core.InvalidSignatureError('x')).toBeInstanceOf(core.WebhookError);
  });
});
