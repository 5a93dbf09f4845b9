/**
 * A Redis idempotency store for crmhooks, for receivers running as several instances.
 * @packageDocumentation
 */
export {
  RedisIdempotencyStore,
  type RedisIdempotencyStoreOptions,
  type RedisStoreClient,
  type RedisSetOptions,
} from './redis-store.js';
export { fromIoredis, type IoredisLike } from './ioredis.js';
export { PersistenceCheck, type PersistenceSubject } from './persistence.js';
