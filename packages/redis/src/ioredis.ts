import type { RedisSetOptions, RedisStoreClient } from './redis-store.js';

/** The ioredis commands the store sends: a `Redis` or a `Cluster` has them. */
export interface IoredisLike {
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX', get: 'GET'): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  info?(section: string): Promise<string>;
  readonly status?: string;
}

/**
 * The store on an ioredis client, `Redis` or `Cluster`: `new RedisIdempotencyStore({ client:
 * fromIoredis(new Cluster(nodes)) })`. On a Redis Cluster, prefer it to node-redis: its
 * `Cluster` asks the other nodes who serves a slot as soon as a primary stops answering,
 * so claims resume once a replica has taken over (see the scaling guide).
 */
export function fromIoredis(client: IoredisLike): RedisStoreClient {
  return {
    set: (key: string, value: string, { expiration, condition, GET }: RedisSetOptions) => {
      if (condition !== 'NX') return client.set(key, value, 'PX', expiration.value);
      return GET ? client.set(key, value, 'PX', expiration.value, 'NX', 'GET') : client.set(key, value, 'PX', expiration.value, 'NX');
    },
    eval: (script, { keys, arguments: args }) => client.eval(script, keys.length, ...keys, ...args),
    ...(client.info && { info: (section: string) => client.info!(section) }),
    get isReady() {
      return client.status === undefined || client.status === 'ready';
    },
  };
}
