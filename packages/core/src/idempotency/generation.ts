/** Bits of presence filter per id a generation can hold: a new id meets a false "maybe" about once in 16. */
const FILTER_BITS_PER_ID = 16;

/**
 * Handled ids of one generation of the memory store, per provider, and when the
 * last of them expires.
 *
 * Ids are filed under a 32-bit hash of their own (a small integer, which V8
 * stores and compares without touching the heap), with the id itself as the
 * value so that a hash shared by two ids never mixes them up. A presence filter
 * (one bit per hash slot) sits in front: a new delivery, the usual case, is
 * almost always ruled out by one read of a small dense array. Both spare the
 * hash-table walks that compare strings scattered over the heap, which cost
 * cache misses on a server doing other work between deliveries.
 */
export class Generation {
  size = 0;
  expiresAt = 0;
  /** Per provider: id hash -> the id, or the ids when several share the hash. */
  readonly #ids = new Map<string, Map<number, string | string[]>>();
  readonly #filter: Uint32Array;
  readonly #mask: number;

  constructor(capacity: number) {
    const bits = 2 ** Math.ceil(Math.log2(Math.max(32, capacity * FILTER_BITS_PER_ID)));
    this.#filter = new Uint32Array(bits / 32);
    this.#mask = bits - 1;
  }

  /** Whether the id is in this generation; `hash` is {@link idHash} of it. */
  has(provider: string, deliveryId: string, hash: number): boolean {
    const slot = hash & this.#mask;
    if ((this.#filter[slot >>> 5]! & (1 << (slot & 31))) === 0) return false;
    return holds(this.#ids.get(provider)?.get(hash), deliveryId);
  }

  /** Adds the id; false if it was there already. */
  add(provider: string, deliveryId: string, hash: number): boolean {
    let ids = this.#ids.get(provider);
    if (ids === undefined) this.#ids.set(provider, (ids = new Map()));
    const filed = ids.get(hash);
    if (holds(filed, deliveryId)) return false;
    ids.set(hash, filed === undefined ? deliveryId : [filed, deliveryId].flat());
    const slot = hash & this.#mask;
    this.#filter[slot >>> 5]! |= 1 << (slot & 31);
    this.size += 1;
    return true;
  }
}

/** Whether what is filed under a hash is, or includes, the id. */
function holds(filed: string | string[] | undefined, deliveryId: string): boolean {
  return filed === deliveryId || (Array.isArray(filed) && filed.includes(deliveryId));
}

/** FNV-1a over the id's UTF-16 code units, as a signed 32-bit integer (a small integer to V8). */
export function idHash(deliveryId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < deliveryId.length; index += 1) {
    hash = Math.imul(hash ^ deliveryId.charCodeAt(index), 0x01000193);
  }
  return hash | 0;
}
