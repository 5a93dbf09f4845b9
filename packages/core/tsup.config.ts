import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', node: 'src/node/index.ts', testing: 'src/testing/index.ts' },
    // Entries share chunks instead of each bundling its own copy of the providers.
    { splitting: true },
  ),
);
