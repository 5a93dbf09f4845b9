import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // The workspace root, so Turbopack resolves the pnpm-linked @crmhooks packages.
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
};

export default config;
