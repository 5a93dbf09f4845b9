import type { Options } from 'tsup';

/** Build settings every package shares: ESM and CJS with declarations for both, for Node 20. */
export const packageBuild = (entry: Record<string, string>, extra: Options = {}): Options => ({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
  // Keep `node:` in imports: Deno and workerd (nodejs_compat) resolve node built-ins only by that prefix.
  removeNodeProtocol: false,
  ...extra,
});
