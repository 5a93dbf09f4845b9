import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts' },
    {
      external: [/^@crmhooks\//, 'pg', '@electric-sql/pglite'],
      // PGlite's declarations use the Emscripten namespace without referencing it: without this
      // (and @types/emscripten), a project that type-checks libraries (no skipLibCheck) fails on them.
      dts: { banner: '/// <reference types="emscripten" />' },
    },
  ),
);
