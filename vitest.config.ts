import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; test/package-exports.test.ts checks the built output.
    alias: [
      { find: /^@crmhooks\/core\/testing$/, replacement: source('./packages/core/src/testing/index.ts') },
      { find: /^@crmhooks\/core\/node$/, replacement: source('./packages/core/src/node/index.ts') },
      { find: /^@crmhooks\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@crmhooks\/express$/, replacement: source('./packages/express/src/index.ts') },
      { find: /^@crmhooks\/koa$/, replacement: source('./packages/koa/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    typecheck: {
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    testTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
