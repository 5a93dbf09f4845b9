/**
 * A Redis idempotency store for crmhooks, for receivers running as several instances.
 * @packageDocumentation
 */
export { RedisIdempotencyStore, type RedisIdempotencyStoreOptions, type RedisEvalClient } from './redis-store.js';
