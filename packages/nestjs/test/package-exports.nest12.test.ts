import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, test } from 'vitest';
import { superoffice } from '@crmhooks/core';
import { superOfficeDelivery, superOfficeSample } from '@crmhooks/core/testing';
import { post } from '../../../test/support/http.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const require = createRequire(import.meta.url);

// The built files load Nest from this package's own dependencies (Nest 12): the nest12 project runs this file.
// The root test script builds first; without a build this is skipped, never in CI.
const runs = existsSync(`${dist}index.js`) || Boolean(process.env.CI);

describe.skipIf(!runs)('the built package with NestJS 12', () => {
  test.each([
    ['ESM', async () => import(`${dist}index.js`)],
    ['CJS', async () => require(`${dist}index.cjs`)],
  ] as const)('%s build receives a delivery through a decorated method', async (_format, load) => {
    const { CrmHooksModule, OnCrmEvent } = await load();
    const seen: unknown[] = [];
    @Injectable()
    class Handlers {
      @OnCrmEvent('superoffice.relation.created')
      created(event: { EventId: string }) {
        seen.push(event.EventId);
      }
    }
    @Module({ imports: [CrmHooksModule.forRoot({ providers: [superoffice({ secret: 's' })] })], providers: [Handlers] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const answer = await post(`${url}/webhooks/crm`, superOfficeDelivery({ secret: 's', payload: superOfficeSample('relation.created') }));
      expect(answer.status).toBe(200);
      expect(seen).toEqual(['abca7e30-5fd4-41d3-849a-16f51c927ecb']);
    } finally {
      await app.close();
    }
  });

  test('a Fastify-only app needs no Express: neither the package nor its build depends on it', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
    expect(Object.keys(runtime).filter((name) => /express/.test(name))).toEqual([]);
    for (const file of ['index.js', 'index.cjs']) {
      expect(readFileSync(`${dist}${file}`, 'utf8')).not.toMatch(/(?:from|require\()\s*['"](?:express|@crmhooks\/express)['"]/);
    }
  });
});
