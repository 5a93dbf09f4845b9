import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const NEST_TESTS = 'packages/nestjs/test/**/*.test.ts';
const NEST_EXAMPLE_TESTS = 'examples/nestjs/test/**/*.test.ts';

/**
 * The NestJS tests run once per supported major. Each project loads Nest from its
 * compat package (packages/nestjs/compat/nestNN), so the module under test and the
 * test app share one Nest instance, and compiles with SWC, which emits the
 * decorator metadata Nest's dependency injection reads.
 */
const nestProject = (major: 11 | 12): TestProjectInlineConfiguration => ({
  extends: true,
  plugins: [
    swc.vite({
      tsconfigFile: false,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
      },
    }),
  ],
  resolve: {
    alias: [
      {
        find: /^@nestjs\/(common|core|platform-express|platform-fastify)(\/.*)?$/,
        replacement: `${source(`./packages/nestjs/compat/nest${major}/node_modules/@nestjs`)}/$1$2`,
      },
    ],
  },
  test: {
    name: `nest${major}`,
    // The NestJS example is written for Nest 12.
    include: major === 12 ? [NEST_TESTS, NEST_EXAMPLE_TESTS] : [NEST_TESTS],
    // *.nestNN.test.ts files run under that major only (e.g. the built package, which loads this package's Nest 12).
    exclude: [`packages/nestjs/test/**/*.nest${major === 11 ? 12 : 11}.test.ts`, '**/node_modules/**'],
    env: { NEST_MAJOR: String(major) },
    typecheck: { enabled: false },
  },
});

export default defineConfig({
  resolve: {
    // Tests run against the sources; each package's test/package-exports check covers the built output.
    alias: [
      { find: /^@crmhooks\/core\/testing$/, replacement: source('./packages/core/src/testing/index.ts') },
      { find: /^@crmhooks\/core\/node$/, replacement: source('./packages/core/src/node/index.ts') },
      { find: /^@crmhooks\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@crmhooks\/express$/, replacement: source('./packages/express/src/index.ts') },
      { find: /^@crmhooks\/koa$/, replacement: source('./packages/koa/src/index.ts') },
      { find: /^@crmhooks\/nestjs$/, replacement: source('./packages/nestjs/src/index.ts') },
      { find: /^@crmhooks\/cli$/, replacement: source('./packages/cli/src/index.ts') },
      { find: /^@crmhooks\/redis$/, replacement: source('./packages/redis/src/index.ts') },
      { find: /^@crmhooks\/bullmq$/, replacement: source('./packages/bullmq/src/index.ts') },
      { find: /^@crmhooks\/pg-boss$/, replacement: source('./packages/pg-boss/src/index.ts') },
      { find: /^@crmhooks\/fastify$/, replacement: source('./packages/fastify/src/index.ts') },
      { find: /^@crmhooks\/links$/, replacement: source('./packages/links/src/index.ts') },
      { find: /^@crmhooks\/postgres$/, replacement: source('./packages/postgres/src/index.ts') },
      { find: /^@crmhooks\/journal$/, replacement: source('./packages/journal/src/index.ts') },
      { find: /^@crmhooks\/inspector$/, replacement: source('./packages/inspector/src/index.ts') },
      { find: /^@crmhooks\/example-links$/, replacement: source('./examples/links/src/index.ts') },
    ],
  },
  test: {
    // Generous on purpose: most of a test's time is waiting for servers (Postgres, Redis, Nest,
    // PGlite, example apps) to start, which on a busy two-core machine takes many times longer
    // than on a quiet one. Readiness waits are not timing assertions.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/runtimes/**/*.test.ts'],
          exclude: [NEST_TESTS, NEST_EXAMPLE_TESTS, '**/node_modules/**'],
          typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      nestProject(11),
      nestProject(12),
    ],
  },
});
