/*
 * Each operation is one Lua script, so it is atomic on the Redis server: two
 * receivers can never both claim the same id. Values: "completed", or
 * "claimed:<token>" where the token names the claiming store instance.
 */

/** KEYS[1] id; ARGV[1] claim value; ARGV[2] lease ms. Returns claimed | in_progress | completed. */
export const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current == 'completed' then return 'completed' end
if current then return 'in_progress' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'claimed'`;

/** KEYS[1] id; ARGV[1] ttl ms. */
export const COMPLETE = `
redis.call('SET', KEYS[1], 'completed', 'PX', ARGV[1])
return 1`;

/** KEYS[1] id; ARGV[1] this claim's value. Deletes the claim only if it is still ours (its lease may have passed to another). */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
