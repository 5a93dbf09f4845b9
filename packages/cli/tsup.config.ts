import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// The library (for the demo and scripts) and the `crmhooks` executable; declarations for the library only.
export default defineConfig(
  packageBuild({ index: 'src/index.ts', bin: 'src/bin.ts' }, { external: [/^@crmhooks\//], dts: { entry: { index: 'src/index.ts' } } }),
);
