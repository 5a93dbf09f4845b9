import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// Core stays a dependency, never bundled: one copy of the providers and the store per app.
export default defineConfig(packageBuild({ index: 'src/index.ts' }, { external: [/^@crmhooks\/core/] }));
