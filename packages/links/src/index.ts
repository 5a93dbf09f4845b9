/**
 * @crmhooks/links: association webhooks become a consistent table of which records are linked.
 * @packageDocumentation
 */
export { createLinkMirror, LinkMirror, type LinkMirrorOptions, type AppliedHandler } from './mirror.js';
export { postgres, pglite, type Database, type PgQueryable, type PostgresOptions } from '@crmhooks/postgres';
export type { LinkQueryOptions } from './queries.js';
export type { Link, LinkDefinition, RecordRef, AppliedEvent } from './types.js';
export { SCHEMA_VERSION } from './migrations.js';
