import { ConfigurationError } from '../errors/usage-errors.js';

/** A webhook path, fixed (`/webhooks/crm`) or naming the tenant in one segment (`/webhooks/superoffice/:tenant`). */
export interface PathPattern {
  /** Whether the pattern has a `:tenant` segment. */
  readonly namesTenant: boolean;
  /** Undefined when the pathname is not this path; else the tenant its `:tenant` segment names, if any. */
  match(pathname: string): { readonly tenant?: string } | undefined;
}

const NOTHING = {};

/** Compiles a `path` option; `:tenant` is the one parameter it may have. */
export function pathPattern(path: string, option: string): PathPattern {
  const segments = path.split('/');
  const params = segments.filter((segment) => segment.startsWith(':'));
  if (params.some((param) => param !== ':tenant') || params.length > 1) {
    throw new ConfigurationError(`${option} may name one parameter, :tenant (e.g. /webhooks/superoffice/:tenant), but "${path}" names ${params.join(', ')}.`);
  }
  const at = segments.indexOf(':tenant');
  if (at < 0) return { namesTenant: false, match: (pathname) => (pathname === path ? NOTHING : undefined) };
  return {
    namesTenant: true,
    match(pathname) {
      const parts = pathname.split('/');
      if (parts.length !== segments.length || parts.some((part, index) => index !== at && part !== segments[index])) return undefined;
      try {
        const tenant = decodeURIComponent(parts[at]!);
        return tenant === '' ? undefined : { tenant };
      } catch {
        return undefined; // not valid percent-encoding: not a tenant anyone registered
      }
    },
  };
}

/** The tenant a router's parameters name (`:tenant` in an Express, Koa, Fastify or Nest route). */
export function routeTenant(params: unknown): string | undefined {
  const tenant = typeof params === 'object' && params !== null ? (params as { tenant?: unknown }).tenant : undefined;
  return typeof tenant === 'string' && tenant !== '' ? tenant : undefined;
}
