import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// Nest and core stay peers/dependencies: the app's single copy of each must be the one used.
export default defineConfig(packageBuild({ index: 'src/index.ts' }, { external: [/^@nestjs\//, /^@crmhooks\//, 'reflect-metadata'] }));
